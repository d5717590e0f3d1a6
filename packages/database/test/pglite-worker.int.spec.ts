// The worker-thread PGlite adapter keeps the Database port's promises: transactions are atomic and
// isolated from statements issued outside them, errors carry PostgreSQL's code, data persists.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPgliteDatabase, createPgliteWorkerDatabase, migrate } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'airline-pglite-worker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('PGlite in a worker thread', () => {
  it('commits, rolls back, isolates outside statements, reports SQL errors, and persists', async () => {
    let db = await createPgliteWorkerDatabase(join(dir, 'db'));
    await migrate(db, [{ name: '001.sql', sql: 'CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL)' }]);
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES (1, $1)', ['one']);
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES (2, $1)', ['two']);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');

    // a statement issued while a transaction is open waits for it, and never lands inside it
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const open = db.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES (3, $1)', ['three']);
      await gate;
      throw new Error('roll back 3');
    });
    const outside = db.query('INSERT INTO t VALUES (4, $1)', ['four']);
    release();
    await expect(open).rejects.toThrow('roll back 3');
    await outside;

    const dup = await db.query('INSERT INTO t VALUES (1, $1)', ['again']).catch((e) => e);
    expect(dup).toMatchObject({ code: '23505' });
    expect((await db.query<{ id: number }>('SELECT id FROM t ORDER BY id')).rows.map((r) => r.id)).toEqual([1, 4]);
    expect((await db.query('UPDATE t SET v = v')).rowCount).toBe(2);
    await db.close();

    db = await createPgliteWorkerDatabase(join(dir, 'db'));
    expect((await db.query<{ v: string }>('SELECT v FROM t ORDER BY id')).rows).toEqual([{ v: 'one' }, { v: 'four' }]);
    await db.close();
  });

  it('every embedded database, in a thread or not, runs with the small shared buffers (PostgreSQL default 128 MB: about 155 MB resident each)', async () => {
    for (const db of [await createPgliteWorkerDatabase(), await createPgliteDatabase()]) {
      try {
        expect((await db.query("SELECT current_setting('shared_buffers') AS v")).rows[0]).toEqual({ v: '8MB' });
      } finally {
        await db.close();
      }
    }
  });
});
