// Staff see people by their usernames, not the domain's customer ids: the gateway owns the users, so it
// lists them (admin only: a customer has GET /auth/me). The route carries its own row of the policy table,
// which the policy plugin's hooks enforce.
import { Type, type Static } from '@sinclair/typebox';
import fp from 'fastify-plugin';
import type { Database } from '@airline/database';
import type { Policy } from '../policy.js';
import type { Role } from '../auth/users.js';

export const DirectoryUser = Type.Object(
  {
    username: Type.String(),
    role: Type.Union([Type.Literal('customer'), Type.Literal('admin')]),
    customerId: Type.Union([Type.Integer(), Type.Null()], { description: 'the customer this user acts as; null for an admin' }),
  },
  { title: 'DirectoryUser' },
);
export type DirectoryUser = Static<typeof DirectoryUser>;

/** Who may list the users: staff only. Declared here, so the route carries its row of the policy table. */
export const userDirectoryPolicy: Policy = { method: 'GET', path: '/users', access: 'admin' };

const Query = Type.Object({
  customerId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'only the users acting as this customer' })),
});

/** The users of the gateway, by username: who they are and which customer they act as. No password hash leaves. */
export async function listUsers(db: Database, customerId?: number): Promise<DirectoryUser[]> {
  const r = await db.query<{ username: string; role: Role; customer_id: number | null }>(
    'SELECT username, role, customer_id FROM users WHERE ($1::int IS NULL OR customer_id = $1) ORDER BY username',
    [customerId ?? null],
  );
  return r.rows.map((u) => ({ username: u.username, role: u.role, customerId: u.customer_id }));
}

export default fp<{ db: Database }>(
  async (app, { db }) => {
    app.get(
      '/users',
      {
        config: { policy: userDirectoryPolicy },
        schema: {
          tags: ['auth'],
          summary: 'The users (staff): username, role and the customer each acts as',
          querystring: Query,
          response: { 200: Type.Array(DirectoryUser) },
        },
      },
      async (req) => listUsers(db, (req.query as Static<typeof Query>).customerId),
    );
  },
  { name: 'user-directory', encapsulate: true, dependencies: ['authentication', 'policy', 'route-schemas'] },
);
