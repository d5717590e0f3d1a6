// The dashboard's read models are idempotent and order-tolerant, on a real (embedded) PostgreSQL:
// the events of any mix of sagas, projected in any order and each any number of times, give exactly
// the tables that projecting them once, in log order, gives. (This is what lets the live consumer
// and a rebuild from the log meet, and a late or redelivered event do no harm.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { envelope, type IntegrationEvent, type NewEvent } from '@airline/contracts';
import { createPgliteDatabase, migrate, type Database } from '@airline/database';
import { dashboardService } from '../src/index.js';
import { project } from '../src/projector.js';
import { READ_MODEL_TABLES } from '../src/rebuild.js';

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

type Outcome = 'confirmed' | 'sold-out' | 'declined' | 'customer-cancelled' | 'flight-cancelled';
const outcomes: Outcome[] = ['confirmed', 'sold-out', 'declined', 'customer-cancelled', 'flight-cancelled'];

/** A small log: two flights and the sagas of some bookings, in the order the system would log them. */
function logOf(sagas: Array<{ customerId: number; flightId: 1 | 2; seatQty: number; outcome: Outcome }>): IntegrationEvent[] {
  let seq = 0;
  let clock = Date.UTC(2026, 0, 1);
  // eight events to a millisecond, and a later event has a smaller id: within a millisecond, only flightSeq orders them
  const at = (correlationId: string, event: NewEvent) =>
    envelope(event, {
      eventId: `00000000-0000-4000-8000-${String(999_999 - ++seq).padStart(12, '0')}`,
      occurredAt: new Date((clock += seq % 8 === 0 ? 1 : 0)).toISOString(),
      correlationId,
      causationId: null,
    }) as IntegrationEvent;
  const numbered = { 1: 0, 2: 0 };
  const flightSeq = (flightId: 1 | 2) => ++numbered[flightId];
  const log: IntegrationEvent[] = [];
  for (const flightId of [1, 2] as const) {
    log.push(at(`flight-${flightId}`, { type: 'FlightRegistered', data: { flightId, flightCode: `KE${flightId}`, takeoffDate: '2026-06-01', cost: 100, capacity: 50, remainingSeatsCount: 50, flightSeq: flightSeq(flightId) } }));
  }
  sagas.forEach((s, i) => {
    const reservationId = i + 1;
    const id = String(reservationId);
    const summary = { reservationId, bookingReference: `REF${String(reservationId).padStart(3, '0')}`, customerId: s.customerId, flightId: s.flightId, seatQty: s.seatQty, amount: 100 * s.seatQty, reserveDate: `2026-01-${String((i % 28) + 1).padStart(2, '0')}` };
    const cancelled = (reason: 'SOLD_OUT' | 'PAYMENT_DECLINED' | 'CUSTOMER' | 'FLIGHT_CANCELLED', previousStatus: 'PENDING' | 'CONFIRMED') =>
      at(id, { type: 'ReservationCancelled', data: { ...summary, reason, previousStatus } });
    log.push(at(id, { type: 'ReservationPlaced', data: { ...summary, paymentMethod: 'pm_card_visa', cardLast4: '4242', cardBrand: 'visa', holdExpiresAt: '2026-01-01T00:15:00.000Z' } }));
    if (s.outcome === 'sold-out') {
      log.push(at(id, { type: 'SeatsSoldOut', data: { reservationId, flightId: s.flightId, seatQty: s.seatQty, remainingSeatsCount: 0, reason: 'SOLD_OUT', flightSeq: flightSeq(s.flightId) } }));
      log.push(cancelled('SOLD_OUT', 'PENDING'));
      return;
    }
    log.push(at(id, { type: 'SeatsReserved', data: { reservationId, customerId: s.customerId, flightId: s.flightId, seatQty: s.seatQty, amount: summary.amount, paymentMethod: 'pm_card_visa', cardLast4: '4242', cardBrand: 'visa', remainingSeatsCount: 40, flightSeq: flightSeq(s.flightId) } }));
    if (s.outcome === 'declined') {
      log.push(at(id, { type: 'PaymentDeclined', data: { reservationId, paymentId: reservationId, amount: summary.amount, reason: 'card_declined' } }));
      log.push(cancelled('PAYMENT_DECLINED', 'PENDING'));
    } else {
      log.push(at(id, { type: 'PaymentApproved', data: { reservationId, paymentId: reservationId, amount: summary.amount, authorizationCode: 'A' } }));
      log.push(at(id, { type: 'ReservationConfirmed', data: summary }));
      if (s.outcome === 'confirmed') return;
      if (s.outcome === 'flight-cancelled') log.push(at(`flight-${s.flightId}`, { type: 'FlightCancelled', data: { flightId: s.flightId, flightCode: `KE${s.flightId}`, flightSeq: flightSeq(s.flightId) } }));
      log.push(cancelled(s.outcome === 'customer-cancelled' ? 'CUSTOMER' : 'FLIGHT_CANCELLED', 'CONFIRMED'));
      log.push(at(id, { type: 'PaymentRefunded', data: { reservationId, paymentId: reservationId, amount: summary.amount } }));
    }
    log.push(at(id, { type: 'SeatsReleased', data: { reservationId, flightId: s.flightId, seatQty: s.seatQty, remainingSeatsCount: 45, flightSeq: flightSeq(s.flightId) } }));
  });
  return log;
}

async function tables(db: Database) {
  const out: Record<string, unknown[]> = {};
  for (const t of READ_MODEL_TABLES) out[t] = (await db.query(`SELECT * FROM ${t} ORDER BY 1`)).rows;
  return out;
}

async function projectAll(db: Database, events: IntegrationEvent[], batch: number) {
  for (let i = 0; i < events.length; i += batch) {
    await db.transaction(async (tx) => {
      for (const e of events.slice(i, i + batch)) await project(tx, e); // written before COMMIT
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
          const order = copies.map((e) => ({ e, key: r.next().value as number })).sort((a, b) => a.key - b.key).map((x) => x.e);
          await projectAll(shuffled, order, batch);

          expect(await tables(shuffled)).toEqual(await tables(inOrder));
          // the board's latest activity is the flight's last event in the log
          const board = (await shuffled.query<{ flight_id: number; last_activity_event_id: string }>('SELECT flight_id, last_activity_event_id FROM flight_board ORDER BY 1')).rows;
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
