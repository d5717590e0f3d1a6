// The Database port's promises, held by every adapter alike: PGlite on the calling thread, PGlite in a
// worker thread, and PostgreSQL through pg. Enqueued writes run in order with the next round trip and
// fail their transaction as if awaited; beforeCommit runs just before COMMIT; values come back the same
// (node-postgres's conversions) whichever adapter reads them.
import { afterAll, describe, expect, it } from 'vitest';
import { databaseUrl, dropDatabases, uniqueName } from '@airline/testing';
import { createPgDatabase, createPgliteDatabase, createPgliteWorkerDatabase, groupCommit, type Database } from '../src/index.js';

const run = uniqueName('port');
const opened: Database[] = [];
afterAll(async () => {
  for (const db of opened) await db.close();
  await dropDatabases(run);
});

const adapters: Array<[string, (name: string) => Promise<Database>]> = [
  ['PGlite on this thread', () => createPgliteDatabase()],
  ['PGlite in a worker thread', () => createPgliteWorkerDatabase()],
  ['PostgreSQL (pg)', (name) => createPgDatabase(databaseUrl(`${run}_${name}`), { max: 3 })],
];

// one database per adapter (starting PGlite takes seconds); each spec makes its table afresh
const databases = new Map<unknown, Promise<Database>>();
async function open(make: (name: string) => Promise<Database>) {
  if (!databases.has(make))
    databases.set(
      make,
      make('contract').then((db) => {
        opened.push(db);
        return db;
      }),
    );
  const db = await databases.get(make)!;
  await db.exec(
    `DROP TABLE IF EXISTS t; CREATE TABLE t (id int PRIMARY KEY, big bigint, at timestamptz, doc jsonb, tags text[], ok boolean)`,
  );
  return db;
}

describe.each(adapters)('the database port on %s', (_, make) => {
  it('gives the same values as node-postgres: int8 as text, timestamptz as a Date, jsonb parsed, arrays, booleans, nulls', async () => {
    const db = await open(make);
    const at = new Date('2026-11-22T10:00:00.123Z');
    await db.query('INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6)', [
      1,
      '9007199254740993',
      at,
      JSON.stringify({ a: [1, 'x'] }),
      ['a', 'b c'],
      true,
    ]);
    await db.query('INSERT INTO t (id) VALUES ($1)', [2]);
    const { rows, rowCount } = await db.query('SELECT * FROM t ORDER BY id');
    expect(rowCount).toBe(2);
    expect(rows).toEqual([
      { id: 1, big: '9007199254740993', at, doc: { a: [1, 'x'] }, tags: ['a', 'b c'], ok: true },
      { id: 2, big: null, at: null, doc: null, tags: null, ok: null },
    ]);
    expect((await db.query('UPDATE t SET ok = false')).rowCount).toBe(2);
  });

  it('runs enqueued writes in order with the next query, which sees them', async () => {
    const db = await open(make);
    const seen = await db.transaction(async (tx) => {
      tx.enqueue('INSERT INTO t (id, big) VALUES ($1, $2)', [1, 10]);
      tx.enqueue('UPDATE t SET big = big * 2 WHERE id = $1', [1]);
      return (await tx.query<{ big: string }>('SELECT big FROM t WHERE id = 1')).rows[0]!.big;
    });
    expect(seen).toBe('20');
  });

  it('commits enqueued writes left at the end, after the beforeCommit hooks', async () => {
    const db = await open(make);
    await db.transaction(async (tx) => {
      tx.beforeCommit(() => tx.enqueue('UPDATE t SET big = big + 1 WHERE id = 1'));
      tx.enqueue('INSERT INTO t (id, big) VALUES (1, 1)');
    });
    expect((await db.query('SELECT big FROM t')).rows).toEqual([{ big: '2' }]);
  });

  it('fails the transaction of an enqueued write that fails, at the next query or at commit, and keeps nothing of it', async () => {
    const db = await open(make);
    await db.query('INSERT INTO t (id) VALUES (1)');
    const atQuery = db.transaction(async (tx) => {
      tx.enqueue('INSERT INTO t (id) VALUES (2)');
      tx.enqueue('INSERT INTO t (id) VALUES (1)'); // duplicate key
      await tx.query('SELECT 1');
      return 'went on';
    });
    await expect(atQuery).rejects.toMatchObject({ code: '23505' });
    const atCommit = db.transaction(async (tx) => {
      tx.enqueue('INSERT INTO t (id) VALUES (3)');
      tx.beforeCommit(() => tx.enqueue('INSERT INTO t (id) VALUES (1)'));
    });
    await expect(atCommit).rejects.toMatchObject({ code: '23505' });
    expect((await db.query('SELECT id FROM t ORDER BY id')).rows).toEqual([{ id: 1 }]);
    // the connection is usable afterwards
    await db.transaction(async (tx) => tx.enqueue('INSERT INTO t (id) VALUES (4)'));
    expect((await db.query('SELECT count(*)::int AS n FROM t')).rows).toEqual([{ n: 2 }]);
  });

  it('group commit: requests that arrive together share a transaction; one that breaks it fails alone', async () => {
    const db = await open(make);
    const groups: number[][] = [];
    const insert = groupCommit<number, number>({
      db,
      async run(tx, ids) {
        groups.push(ids);
        for (const id of ids) tx.enqueue('INSERT INTO t (id) VALUES ($1)', [id]);
        await tx.query('SELECT 1');
        return ids.map((id) => (id % 10 === 0 ? { refused: new Error(`no ${id}`) } : { ok: id * 2 }));
      },
    });
    await db.query('INSERT INTO t (id) VALUES (7)'); // 7 will break its group's transaction
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => insert(i + 1)));
    const value = (r: PromiseSettledResult<number>) =>
      r.status === 'fulfilled' ? r.value : ((r.reason as Error).message ?? String(r.reason));
    expect(results.map(value).slice(0, 11)).toEqual([2, 4, 6, 8, 10, 12, expect.stringMatching(/duplicate key/), 16, 18, 'no 10', 22]);
    expect(results[19]).toMatchObject({ status: 'rejected', reason: new Error('no 20') });
    // several requests per transaction: fewer groups than requests, the first alone (it found the queue idle)
    expect(groups[0]).toEqual([1]);
    expect(groups.filter((g) => g.length > 1).length).toBeGreaterThan(0);
    // all but 7 (refused ones too: a refusal is an answer, its writes commit with the group)
    expect((await db.query<{ id: number }>('SELECT id FROM t ORDER BY id')).rows.map((r) => r.id)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });
});
