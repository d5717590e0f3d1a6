// Several services in one PGlite database, a schema each (pglite-schemas.ts): each service's Database
// keeps the port's promises as if the database were its own — its own tables under the same names, the
// same unqualified SQL and migrations, transactions atomic and isolated from every other service's
// statements on the one connection — in a worker thread and on the calling thread alike.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPgliteSchemas, migrate, startPgliteThread, type Database, type SchemaDatabases } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'airline-pglite-schemas-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const adapters: Array<[string, <S extends string>(dir: string | undefined, schemas: readonly S[]) => Promise<SchemaDatabases<S>>]> = [
  [
    'in a worker thread',
    async (d, schemas) => {
      const thread = await startPgliteThread();
      const opened = await thread.openSchemas(d, schemas).catch(async (err) => {
        await thread.close();
        throw err;
      });
      return {
        ...opened,
        async close() {
          await opened.close();
          await thread.close();
        },
      };
    },
  ],
  ['on the calling thread', createPgliteSchemas],
];

// the same migration for both services, as every service has its outbox
const outbox = { name: '001_outbox.sql', sql: 'CREATE TABLE outbox (id bigserial PRIMARY KEY, payload text NOT NULL)' };
const payloads = async (db: Database) =>
  (await db.query<{ payload: string }>('SELECT payload FROM outbox ORDER BY id')).rows.map((r) => r.payload);

describe.each(adapters)('services as schemas of one PGlite database, %s', (_, open) => {
  it('each service has its own tables under the same names, migrated and queried with the same unqualified SQL; they persist', async () => {
    const path = join(dir, `persist-${_.replace(/ /g, '-')}`);
    let shared = await open(path, ['flight', 'payment']);
    let { flight, payment } = shared.schemas;
    expect(await migrate(flight, [outbox])).toEqual(['001_outbox.sql']);
    expect(await migrate(payment, [outbox])).toEqual(['001_outbox.sql']);
    expect(await migrate(payment, [outbox])).toEqual([]); // each schema records its own migrations
    // the same statement text alternately for each: each time the rows of its own schema
    for (let i = 0; i < 3; i++) {
      await flight.query('INSERT INTO outbox (payload) VALUES ($1)', [`flight ${i}`]);
      await payment.query('INSERT INTO outbox (payload) VALUES ($1)', [`payment ${i}`]);
    }
    await payment.transaction(async (tx) => {
      tx.enqueue('INSERT INTO outbox (payload) VALUES ($1)', ['payment 3']);
    });
    expect(await payloads(flight)).toEqual(['flight 0', 'flight 1', 'flight 2']);
    expect(await payloads(payment)).toEqual(['payment 0', 'payment 1', 'payment 2', 'payment 3']);
    expect((await flight.query('SELECT current_schema() AS s')).rows).toEqual([{ s: 'flight' }]);
    await flight.close();
    await expect(flight.query('SELECT 1')).rejects.toThrow(/closed/);
    expect(await payloads(payment)).toEqual(['payment 0', 'payment 1', 'payment 2', 'payment 3']); // the others stay open
    await payment.close(); // the last one closes the database

    shared = await open(path, ['flight', 'payment']);
    ({ flight, payment } = shared.schemas);
    expect(await payloads(flight)).toEqual(['flight 0', 'flight 1', 'flight 2']);
    expect(await payloads(payment)).toEqual(['payment 0', 'payment 1', 'payment 2', 'payment 3']);
    await shared.close();
  });

  it("one service's open transaction holds back every other service's statements; its rollback leaves theirs, and each keeps its schema after it", async () => {
    const shared = await open(undefined, ['reservation', 'payment']);
    const { reservation, payment } = shared.schemas;
    try {
      for (const db of [reservation, payment]) await migrate(db, [outbox]);
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const order: string[] = [];
      const open = reservation.transaction(async (tx) => {
        await tx.query('INSERT INTO outbox (payload) VALUES ($1)', ['rolled back']);
        await gate;
        order.push('reservation rolls back');
        throw new Error('roll back');
      });
      const outside = payment.query('INSERT INTO outbox (payload) VALUES ($1)', ['kept']).then(() => order.push('payment writes'));
      await new Promise((r) => setTimeout(r, 50));
      expect(order).toEqual([]); // payment waits for reservation's transaction
      release();
      await expect(open).rejects.toThrow('roll back');
      await outside;
      expect(order).toEqual(['reservation rolls back', 'payment writes']);
      expect(await payloads(reservation)).toEqual([]);
      expect(await payloads(payment)).toEqual(['kept']);

      // a transaction that fails on PostgreSQL's own error rolls back, and the connection serves everyone after it
      await expect(
        payment.transaction(async (tx) => {
          await tx.query('INSERT INTO outbox (payload) VALUES ($1)', ['rolled back too']);
          await tx.query('INSERT INTO outbox (payload) VALUES (NULL)');
        }),
      ).rejects.toMatchObject({ code: '23502' });
      await reservation.transaction(async (tx) => {
        await tx.query('INSERT INTO outbox (payload) VALUES ($1)', ['after the failure']);
      });
      expect(await payloads(reservation)).toEqual(['after the failure']);
      expect(await payloads(payment)).toEqual(['kept']);

      // a failed statement (its pipeline rolled back, search_path with it) does not move anyone's schema
      await expect(reservation.query('INSERT INTO outbox (payload) VALUES (NULL)')).rejects.toMatchObject({ code: '23502' });
      expect((await reservation.query('SELECT current_schema() AS s')).rows).toEqual([{ s: 'reservation' }]);
      expect((await payment.query('SELECT current_schema() AS s')).rows).toEqual([{ s: 'payment' }]);
    } finally {
      await shared.close();
    }
  });

  it('refuses schema names that are not plain identifiers', async () => {
    await expect(open(undefined, ['flight; DROP SCHEMA public'])).rejects.toThrow(/schema name/);
    await expect(open(undefined, ['flight', 'flight'])).rejects.toThrow(/repeat/);
  });
});
