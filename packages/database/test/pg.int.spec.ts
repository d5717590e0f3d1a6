// The pg adapter against the machine's PostgreSQL: it creates the service's database, replicas starting
// together apply each migration once, and a transaction is all or nothing.
import { afterAll, describe, expect, it } from 'vitest';
import { databaseUrl, dropDatabases, uniqueName } from '@airline/testing';
import { createPgDatabase, migrate, type Database } from '../src/index.js';

const run = uniqueName('pg');
const opened: Database[] = [];
afterAll(async () => {
  for (const db of opened) await db.close();
  await dropDatabases(run);
});

async function open(name: string) {
  const db = await createPgDatabase(databaseUrl(name), { max: 3 });
  opened.push(db);
  return db;
}

describe('pg database', () => {
  it('creates a missing database, also when four replicas start at once, and applies each migration once', async () => {
    const name = `${run}_flight`;
    const replicas = await Promise.all([1, 2, 3, 4].map(() => open(name)));
    const migrations = [
      { name: '001_a.sql', sql: 'CREATE TABLE a (id int PRIMARY KEY)' },
      { name: '002_b.sql', sql: 'CREATE TABLE b (id int PRIMARY KEY); INSERT INTO b VALUES (1);' },
    ];
    const applied = await Promise.all(replicas.map((db) => migrate(db, migrations)));
    expect(applied.flat().sort()).toEqual(['001_a.sql', '002_b.sql']);
    expect((await replicas[0]!.query('SELECT * FROM b')).rows).toEqual([{ id: 1 }]);
    expect(replicas[0]!.kind).toBe('pg');
  });

  it('commits a transaction that resolves and leaves nothing of one that throws', async () => {
    const db = await open(`${run}_tx`);
    await db.exec('CREATE TABLE t (id int PRIMARY KEY, note text)');
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES ($1, $2)', [1, 'kept']);
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES ($1, $2)', [2, 'half']);
        await tx.query('INSERT INTO t VALUES ($1, $2)', [1, 'duplicate key']);
      }),
    ).rejects.toThrow(/duplicate key/);
    expect((await db.query('SELECT id, note FROM t ORDER BY id')).rows).toEqual([{ id: 1, note: 'kept' }]);
  });

  it('reports rowCount for writes that did nothing and for reads', async () => {
    const db = await open(`${run}_rows`);
    await db.exec('CREATE TABLE inbox (event_id text PRIMARY KEY)');
    expect((await db.query(`INSERT INTO inbox VALUES ('e1') ON CONFLICT DO NOTHING`)).rowCount).toBe(1);
    expect((await db.query(`INSERT INTO inbox VALUES ('e1') ON CONFLICT DO NOTHING`)).rowCount).toBe(0);
    expect((await db.query('SELECT * FROM inbox')).rowCount).toBe(1);
  });

  it('serializes concurrent transactions on a row lock without losing an update', async () => {
    const db = await open(`${run}_locks`);
    await db.exec(
      'CREATE TABLE seats (id int PRIMARY KEY, remaining int NOT NULL CHECK (remaining >= 0)); INSERT INTO seats VALUES (1, 50);',
    );
    const took = await Promise.all(
      Array.from({ length: 80 }, () =>
        db.transaction(
          async (tx) => (await tx.query('UPDATE seats SET remaining = remaining - 1 WHERE id = 1 AND remaining >= 1')).rowCount,
        ),
      ),
    );
    expect(took.filter((n) => n === 1)).toHaveLength(50);
    expect((await db.query('SELECT remaining FROM seats')).rows).toEqual([{ remaining: 0 }]);
  });
});
