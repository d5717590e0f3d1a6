// The gateway's users: who may sign in, with which role, acting as which customer.
import type { Logger } from 'pino';
import type { Database, Sql } from '@airline/database';
import { hashPassword, randomPassword } from './passwords.js';

export type Role = 'customer' | 'admin';

/** What a token says about its bearer; the shape `POST /auth/login` and `GET /auth/me` return. */
export interface User {
  username: string;
  role: Role;
  /** The domain's customer this user acts as; null for an admin. */
  customerId: number | null;
}

export interface SeedUser extends User {
  password: string;
}

interface UserRow {
  username: string;
  password_hash: string;
  role: Role;
  customer_id: number | null;
}

export async function findUser(db: Sql, username: string): Promise<(User & { passwordHash: string }) | undefined> {
  const row = (await db.query<UserRow>('SELECT username, password_hash, role, customer_id FROM users WHERE username = $1', [username])).rows[0];
  return row && { username: row.username, role: row.role, customerId: row.customer_id, passwordHash: row.password_hash };
}

function checkSeedUser(u: SeedUser) {
  if (u.role === 'customer' && !(Number.isInteger(u.customerId) && (u.customerId as number) > 0)) {
    throw new Error(`user ${u.username}: a customer needs a positive integer customerId`);
  }
  if (u.role === 'admin' && u.customerId !== null) throw new Error(`user ${u.username}: an admin has customerId null`);
}

/** Creates or replaces the given users (tests, and operators who configure known accounts). */
export async function upsertUsers(db: Database, users: SeedUser[]): Promise<void> {
  users.forEach(checkSeedUser);
  const hashed = await Promise.all(users.map(async (u) => ({ ...u, hash: await hashPassword(u.password) })));
  await db.transaction(async (tx) => {
    for (const u of hashed) {
      await tx.query(
        `INSERT INTO users (username, password_hash, role, customer_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash, role = EXCLUDED.role, customer_id = EXCLUDED.customer_id`,
        [u.username, u.hash, u.role, u.customerId],
      );
    }
  });
}

/** The accounts made on first start: an admin and the seeds' customers 1 and 2, plus a third. */
export const DEMO_USERS: User[] = [
  { username: 'admin', role: 'admin', customerId: null },
  { username: 'customer1', role: 'customer', customerId: 1 },
  { username: 'customer2', role: 'customer', customerId: 2 },
  { username: 'customer3', role: 'customer', customerId: 3 },
];

/**
 * On first start (no users at all) creates the demo users with random passwords and logs them once.
 * Replicas starting together create them once (advisory lock); the passwords are never shown again.
 */
export async function createDemoUsersOnFirstStart(db: Database, log: Logger): Promise<SeedUser[]> {
  const created = await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(815002)');
    if ((await tx.query('SELECT 1 FROM users LIMIT 1')).rowCount > 0) return [];
    const users = DEMO_USERS.map((u) => ({ ...u, password: randomPassword() }));
    for (const u of users) {
      await tx.query('INSERT INTO users (username, password_hash, role, customer_id) VALUES ($1, $2, $3, $4)', [u.username, await hashPassword(u.password), u.role, u.customerId]);
    }
    return users;
  });
  if (created.length > 0) {
    log.warn(
      { users: created.map((u) => ({ username: u.username, password: u.password, role: u.role, customerId: u.customerId })) },
      'first start: demo users created with these passwords (shown once; sign in at POST /auth/login)',
    );
  }
  return created;
}
