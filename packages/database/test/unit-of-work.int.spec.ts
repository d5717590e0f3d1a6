// The unit of work of one transaction, in plain sight: a row is read once and kept (what the unit wrote
// is what it reads back), writes of one kind are staged and go as one statement when the code that
// commits calls flush, and a write staged but never flushed fails the commit instead of being lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteDatabase, rowKind, UnitOfWork, writeKind, type Database, type Tx } from '../src/index.js';

let db: Database;
beforeAll(async () => {
  db = await createPgliteDatabase();
});
afterAll(() => db?.close());

async function fresh() {
  await db.exec(
    'DROP TABLE IF EXISTS t; CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL); INSERT INTO t VALUES (1, $$one$$), (2, $$two$$)',
  );
}

/** A read that counts its statements. */
function countedRows() {
  const reads: number[][] = [];
  const kind = rowKind<number, string>('t', async (tx: Tx, ids) => {
    reads.push(ids);
    const r = await tx.query<{ id: number; v: string }>('SELECT id, v FROM t WHERE id = ANY($1::int[])', [ids]);
    return r.rows.map((row) => [row.id, row.v]);
  });
  return { kind, reads };
}
const values = writeKind<{ id: number; v: string }>(
  't values',
  `UPDATE t SET v = x.v FROM jsonb_to_recordset($1::jsonb) AS x(id int, v text) WHERE t.id = x.id`,
  (row) => row.id,
);
const inserts = writeKind<{ id: number; v: string }>(
  't inserts',
  `INSERT INTO t SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id int, v text)`,
);

describe('a unit of work', () => {
  it('reads the keys it does not know in one statement, knows a missing row as absent, and answers what it wrote without reading', async () => {
    await fresh();
    const { kind, reads } = countedRows();
    await db.transaction(async (tx) => {
      const uow = new UnitOfWork(tx);
      await uow.load(kind, [1, 2, 3]);
      expect(await uow.get(kind, 1)).toBe('one');
      expect(await uow.get(kind, 3)).toBeUndefined();
      uow.remember(kind, 2, 'deux');
      expect(await uow.get(kind, 2)).toBe('deux');
      uow.forget(kind, 1);
      expect(await uow.get(kind, 1)).toBe('one');
    });
    expect(reads).toEqual([[1, 2, 3], [1]]);
  });

  it('sends staged writes at flush, one statement per kind, the last row of a key replacing the ones before it', async () => {
    await fresh();
    const statements: string[] = [];
    await db.transaction(async (tx) => {
      const watched: Tx = {
        ...tx,
        enqueue: (text, params) => {
          statements.push(text);
          return tx.enqueue(text, params);
        },
      };
      const uow = new UnitOfWork(watched);
      uow.stage(values, { id: 1, v: 'first' });
      uow.stage(inserts, { id: 3, v: 'three' });
      uow.stage(values, { id: 2, v: 'second' });
      uow.stage(values, { id: 1, v: 'last' });
      expect(uow.isStaged(values, 1)).toBe(true);
      expect(statements).toEqual([]); // nothing leaves before the flush
      await uow.flush();
      expect(uow.isStaged(values, 1)).toBe(false);
    });
    expect(statements).toEqual([values.text, inserts.text]);
    expect((await db.query('SELECT id, v FROM t ORDER BY id')).rows).toEqual([
      { id: 1, v: 'last' },
      { id: 2, v: 'second' },
      { id: 3, v: 'three' },
    ]);
  });

  it('fails the commit, writing nothing, when a staged write was never flushed', async () => {
    await fresh();
    const committed = db.transaction(async (tx) => {
      const uow = new UnitOfWork(tx);
      tx.enqueue(`UPDATE t SET v = 'changed' WHERE id = 2`);
      uow.stage(values, { id: 1, v: 'lost?' });
    });
    await expect(committed).rejects.toThrow(/staged writes not flushed: t values/);
    expect((await db.query('SELECT id, v FROM t ORDER BY id')).rows).toEqual([
      { id: 1, v: 'one' },
      { id: 2, v: 'two' },
    ]);
  });

  it('fails its transaction, as if awaited, when a flushed write fails', async () => {
    await fresh();
    const committed = db.transaction(async (tx) => {
      const uow = new UnitOfWork(tx);
      uow.stage(values, { id: 2, v: 'changed' });
      uow.stage(inserts, { id: 1, v: 'duplicate' });
      await uow.flush();
    });
    await expect(committed).rejects.toThrow(/duplicate key/);
    expect((await db.query<{ v: string }>('SELECT v FROM t WHERE id = 2')).rows[0]!.v).toBe('two');
  });

  it('awaits a kind whose RETURNING rows it needs, and records what the statement really wrote (a row that conflicted: absent)', async () => {
    await fresh();
    const opened = rowKind<number, string>('t opened', async () => []);
    const opens = writeKind<{ id: number; v: string }>(
      't opens',
      `INSERT INTO t SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id int, v text) ON CONFLICT (id) DO NOTHING RETURNING id, v`,
      (row) => row.id,
      (uow, staged, rows) =>
        uow.record(
          opened,
          staged.map((row) => row.id),
          (rows as Array<{ id: number; v: string }>).map((row) => [row.id, row.v]),
        ),
    );
    const seen = await db.transaction(async (tx) => {
      const uow = new UnitOfWork(tx);
      uow.stage(opens, { id: 2, v: 'taken already' });
      uow.stage(opens, { id: 3, v: 'three' });
      await uow.flush();
      return [await uow.get(opened, 2), await uow.get(opened, 3)];
    });
    expect(seen).toEqual([undefined, 'three']);
    expect((await db.query<{ id: number; v: string }>('SELECT id, v FROM t ORDER BY id')).rows).toEqual([
      { id: 1, v: 'one' },
      { id: 2, v: 'two' },
      { id: 3, v: 'three' },
    ]);
  });
});
