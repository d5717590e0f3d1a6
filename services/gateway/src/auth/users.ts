// The gateway's users: who may sign in, with which role, acting as which customer.
import { randomUUID } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
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
  const row = (await db.query<UserRow>('SELECT username, password_hash, role, customer_id FROM users WHERE username = $1', [username]))
    .rows[0];
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

/** Where the passwords of the demo users go (never to the log). */
export interface DemoPasswordsOutput {
  /** Written to this file, readable by its owner only (0600); the log says where it is. */
  file?: string;
  /** Printed here once: an interactive terminal (`npm start` in a shell). */
  terminal?: { write(text: string): unknown };
}

/**
 * On first start (no users at all) creates the demo users with random passwords. The passwords go to
 * a private file (written before the users are committed: no users whose passwords nobody has) and,
 * on an interactive terminal, are printed once; the log names the users and the file, never a password.
 * Replicas starting together create them once (advisory lock).
 */
export async function createDemoUsersOnFirstStart(db: Database, log: Logger, out: DemoPasswordsOutput = {}): Promise<SeedUser[]> {
  const created = await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(815002)');
    if ((await tx.query('SELECT 1 FROM users LIMIT 1')).rowCount > 0) return [];
    const users = DEMO_USERS.map((u) => ({ ...u, password: randomPassword() }));
    for (const u of users) {
      await tx.query('INSERT INTO users (username, password_hash, role, customer_id) VALUES ($1, $2, $3, $4)', [
        u.username,
        await hashPassword(u.password),
        u.role,
        u.customerId,
      ]);
    }
    if (out.file) await writePrivateFile(out.file, passwordsText(users));
    return users;
  });
  if (created.length === 0) return created;
  out.terminal?.write(`\n${passwordsText(created)}\n`);
  const where = [out.file && `in ${out.file} (readable by you only)`, out.terminal && 'printed on the terminal']
    .filter(Boolean)
    .join(' and ');
  log.warn(
    {
      users: created.map((u) => ({ username: u.username, role: u.role, customerId: u.customerId })),
      ...(out.file ? { file: out.file } : {}),
    },
    where
      ? `first start: demo users created; their passwords are ${where} (sign in at POST /auth/login)`
      : 'first start: demo users created, but their passwords are shown nowhere (no terminal, no file): add known users instead',
  );
  return created;
}

function passwordsText(users: SeedUser[]): string {
  const lines = users.map((u) => `${u.username.padEnd(12)} ${u.password}   ${u.role === 'admin' ? 'admin' : `customer ${u.customerId}`}`);
  return [
    '# The demo users of the airline gateway, made at its first start. Sign in at POST /auth/login (or the web UI).',
    ...lines,
    '',
  ].join('\n');
}

/** Written aside with mode 0600 and renamed into place: never readable by others, never half there. */
async function writePrivateFile(path: string, text: string) {
  const aside = `${path}.${randomUUID()}.tmp`;
  await writeFile(aside, text, { mode: 0o600, flag: 'wx' });
  try {
    await rename(aside, path);
  } catch (err) {
    await rm(aside, { force: true });
    throw err;
  }
}
