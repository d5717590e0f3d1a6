import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from './port.js';

export interface Migration {
  name: string;
  sql: string;
}

/** Reads `NNN_name.sql` files of a folder, in name order. */
export function migrationsFrom(dir: string | URL): Migration[] {
  const path = typeof dir === 'string' ? dir : dir.pathname;
  return readdirSync(path)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => ({ name: f, sql: readFileSync(join(path, f), 'utf8') }));
}

/**
 * Applies migrations not applied yet, each in its own transaction. An advisory lock makes replicas
 * that start together apply them once.
 */
export async function migrate(db: Database, migrations: Migration[]): Promise<string[]> {
  const names = new Set<string>();
  for (const m of migrations) {
    if (names.has(m.name)) throw new Error(`duplicate migration name ${m.name}`);
    names.add(m.name);
  }
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(815001)');
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await tx.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name));
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.name)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [m.name]);
      applied.push(m.name);
    }
    return applied;
  });
}
