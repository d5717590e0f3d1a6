// The dashboard's read models are idempotent and order-tolerant, on a real (embedded) PostgreSQL:
// the events of any mix of sagas, projected in any order and each any number of times, give exactly
// the tables that projecting them once, in log order, gives. (This is what lets the live consumer
// and a rebuild from the log meet, and a late or redelivered event do no harm.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { IntegrationEvent } from '@airline/contracts';
import { createPgliteDatabase, migrate, UnitOfWork, type Database } from '@airline/database';
import { dashboardService } from '../src/index.js';
import { project } from '../src/projector.js';
import { READ_MODEL_TABLES } from '../src/rebuild.js';
import { logOf, outcomes } from './fixtures/saga-log.js';

let inOrder: Database;
let shuffled: Database;
beforeAll(async () => {
  inOrder = await createPgliteDatabase();
  shuffled = await createPgliteDatabase();
  for (const db of [inOrder, shuffled]) await migrate(db, dashboardService.migrations);
});
afterAll(async () => {
  await inOrder?.close();
  await shuffled?.close();
});

async function tables(db: Database) {
  const out: Record<string, unknown[]> = {};
  for (const t of READ_MODEL_TABLES) out[t] = (await db.query(`SELECT * FROM ${t} ORDER BY 1`)).rows;
  return out;
}

async function projectAll(db: Database, events: IntegrationEvent[], batch: number) {
  for (let i = 0; i < events.length; i += batch) {
    await db.transaction(async (tx) => {
      const uow = new UnitOfWork(tx);
      for (const e of events.slice(i, i + batch)) await project(uow, e);
      await uow.flush(); // written before COMMIT
    });
  }
}

const saga = fc.record({
  customerId: fc.integer({ min: 1, max: 3 }),
  flightId: fc.constantFrom<1 | 2>(1, 2),
  seatQty: fc.integer({ min: 1, max: 4 }),
  outcome: fc.constantFrom(...outcomes),
});

describe('the dashboard projection', () => {
  it('gives the same tables for the same events in any order, each delivered any number of times', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(saga, { minLength: 1, maxLength: 8 }),
        fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })),
        fc.integer({ min: 1, max: 5 }),
        async (sagas, random, batch) => {
          const truncate = `TRUNCATE ${READ_MODEL_TABLES.join(', ')}`;
          await inOrder.exec(truncate);
          await shuffled.exec(truncate);
          const log = logOf(sagas);
          await projectAll(inOrder, log, 50);

          const r = random[Symbol.iterator]();
          const copies = log.flatMap((e) => (r.next().value < 0.3 ? [e, e] : [e])); // some delivered twice
          const order = copies
            .map((e) => ({ e, key: r.next().value as number }))
            .sort((a, b) => a.key - b.key)
            .map((x) => x.e);
          await projectAll(shuffled, order, batch);

          expect(await tables(shuffled)).toEqual(await tables(inOrder));
          // the board's latest activity is the flight's last event in the log
          const board = (
            await shuffled.query<{ flight_id: number; last_activity_event_id: string }>(
              'SELECT flight_id, last_activity_event_id FROM flight_board ORDER BY 1',
            )
          ).rows;
          const lastOf = (flightId: number) => log.filter((e) => 'flightSeq' in e.data && e.data.flightId === flightId).at(-1)!.eventId;
          expect(board).toEqual([1, 2].map((id) => ({ flight_id: id, last_activity_event_id: lastOf(id) })));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('in log order, counts what happened (a worked example)', async () => {
    await inOrder.exec(`TRUNCATE ${READ_MODEL_TABLES.join(', ')}`);
    await projectAll(
      inOrder,
      logOf([
        { customerId: 1, flightId: 1, seatQty: 2, outcome: 'confirmed' },
        { customerId: 1, flightId: 1, seatQty: 1, outcome: 'customer-cancelled' },
        { customerId: 2, flightId: 2, seatQty: 3, outcome: 'sold-out' },
        { customerId: 2, flightId: 2, seatQty: 1, outcome: 'declined' },
      ]),
      50,
    );
    const t = await tables(inOrder);
    expect(t.customer_infos).toEqual([
      { customer_id: 1, flight_count: 2, recent_reserve_date: '2026-01-02', confirmed_count: 1, cancelled_count: 1 },
      { customer_id: 2, flight_count: 2, recent_reserve_date: '2026-01-04', confirmed_count: 0, cancelled_count: 2 },
    ]);
    expect(t.flight_board!.map((b: any) => [b.flight_id, b.registered_remaining - b.seats_taken, b.sold_out_count])).toEqual([
      [1, 48, 0],
      [2, 50, 1],
    ]);
    expect(t.reservation_history!.every((h: any) => h.customer_id !== null)).toBe(true);
  });
});
