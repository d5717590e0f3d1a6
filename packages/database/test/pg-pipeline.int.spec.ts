// A transaction's enqueued statements go out at once, behind each other on its connection (pg's
// pipeline mode), not through node-postgres's deprecated queue ("Calling client.query() when the client
// is already executing a query is deprecated"), which every service process printed at its first write.
import { afterAll, describe, expect, it } from 'vitest';
import { databaseUrl, dropDatabases, uniqueName } from '@airline/testing';
import { createPgDatabase, type Database } from '../src/index.js';

const run = uniqueName('pgpipe');
let db: Database | undefined;
afterAll(async () => {
  await db?.close();
  await dropDatabases(run);
});

describe('pg transactions with enqueued statements', () => {
  it('write everything in order, roll back on a failed one, and raise no deprecation warning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      db = await createPgDatabase(databaseUrl(`${run}_a`), { max: 2 });
      await db.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
      await db.transaction(async (tx) => {
        for (let i = 1; i <= 5; i++) tx.enqueue('INSERT INTO t VALUES ($1, $2)', [i, `v${i}`]);
        expect((await tx.query<{ n: string }>('SELECT count(*)::text AS n FROM t')).rows).toEqual([{ n: '5' }]);
        tx.enqueue('UPDATE t SET v = $1 WHERE id = 1', ['first']);
      });
      expect((await db.query('SELECT id, v FROM t ORDER BY id')).rows).toEqual([
        { id: 1, v: 'first' },
        { id: 2, v: 'v2' },
        { id: 3, v: 'v3' },
        { id: 4, v: 'v4' },
        { id: 5, v: 'v5' },
      ]);

      await expect(
        db.transaction(async (tx) => {
          tx.enqueue('INSERT INTO t VALUES ($1, $2)', [6, 'v6']);
          tx.enqueue('INSERT INTO t VALUES ($1, $2)', [1, 'duplicate']);
          tx.enqueue('INSERT INTO t VALUES ($1, $2)', [7, 'v7']);
        }),
      ).rejects.toThrow(/duplicate key/);
      expect((await db.query<{ n: string }>('SELECT count(*)::text AS n FROM t')).rows).toEqual([{ n: '5' }]);
      // the connection that failed is usable again
      await db.transaction(async (tx) => {
        tx.enqueue('INSERT INTO t VALUES ($1, $2)', [8, 'v8']);
      });
      expect((await db.query<{ n: string }>('SELECT count(*)::text AS n FROM t')).rows).toEqual([{ n: '6' }]);
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((w) => w.includes('already executing a query'))).toEqual([]);
  });
});
