// Staff see usernames, not customer ids (issue 14): the gateway, which owns the users, lists them for
// staff. The plugin on its own here; the gateway enforces its row of the policy table (admin only).
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteDatabase, migrate, migrationsFrom, type Database } from '@airline/database';
import { upsertUsers } from '../src/auth/users.js';
import { userDirectory, userDirectoryPolicy } from '../src/user-directory.js';

let db: Database;
const app = Fastify();
beforeAll(async () => {
  db = await createPgliteDatabase();
  await migrate(db, migrationsFrom(fileURLToPath(new URL('../migrations', import.meta.url))));
  await upsertUsers(db, [
    { username: 'minji', password: 'correct horse battery staple', role: 'customer', customerId: 2 },
    { username: 'admin', password: 'correct horse battery staple', role: 'admin', customerId: null },
    { username: 'alex', password: 'correct horse battery staple', role: 'customer', customerId: 1 },
  ]);
  await app.register(userDirectory, { db });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await db?.close();
});

describe('GET /users', () => {
  it('lists every user by username with their role and customer, and never a password hash', async () => {
    const r = await app.inject({ method: 'GET', url: '/users' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual([
      { username: 'admin', role: 'admin', customerId: null },
      { username: 'alex', role: 'customer', customerId: 1 },
      { username: 'minji', role: 'customer', customerId: 2 },
    ]);
  });

  it('filters by the customer a user acts as, and refuses a customerId that is not one (400)', async () => {
    expect((await app.inject({ method: 'GET', url: '/users?customerId=2' })).json()).toEqual([{ username: 'minji', role: 'customer', customerId: 2 }]);
    expect((await app.inject({ method: 'GET', url: '/users?customerId=zero' })).statusCode).toBe(400);
  });

  it('is staff work: its row of the policy table says admin', () => {
    expect(userDirectoryPolicy).toEqual({ method: 'GET', path: '/users', access: 'admin' });
  });
});
