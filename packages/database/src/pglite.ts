import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Database, Sql } from './port.js';

/** Embedded PostgreSQL (WASM) in a directory of its own; `dir` undefined = in memory (unit tests). */
export async function createPgliteDatabase(dir?: string): Promise<Database> {
  if (dir) mkdirSync(dir, { recursive: true });
  const pg = await PGlite.create(dir ? { dataDir: dir } : {});
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>): Sql => ({
    async query(text, params) {
      const r = await q.query(text, params as unknown[] | undefined);
      return { rows: r.rows as never[], rowCount: Math.max(r.affectedRows ?? 0, r.rows.length) };
    },
    async exec(text) {
      await q.exec(text);
    },
  });
  const base = wrap(pg);
  return {
    kind: 'pglite',
    ...base,
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    close: () => pg.close(),
  };
}
