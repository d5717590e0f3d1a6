// The seat side of the saga on a real (embedded) PostgreSQL. A batch is applied in flight order, in one
// transaction, with its holds read beforehand and kept for the transaction; that must change nothing in
// what happens: for any events (placements, confirmations, cancellations, several on one reservation, on
// flights about to sell out), handling them as one batch gives the same seats, holds and answers as
// handling them one at a time — and never more seats taken than a flight has.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { envelope, type IntegrationEvent } from '@airline/contracts';
import { createPgliteDatabase, migrate, UnitOfWork, type Database } from '@airline/database';
import { handleCommand } from '@airline/decider';
import { createConsumer, messagingMigration } from '@airline/outbox';
import { flightService, seatDecider } from '../src/index.js';
import { loadSeats, saveSeats } from '../src/repository.js';
import { prefetchSeats, seatHandlers, seatLockOrder } from '../src/seats.js';

const CAPACITY = [3, 2, 4];
let batched: Database;
let oneByOne: Database;

async function freshDatabase() {
  const db = await createPgliteDatabase();
  await migrate(db, [messagingMigration, ...flightService.migrations]);
  return db;
}
beforeAll(async () => {
  [batched, oneByOne] = await Promise.all([freshDatabase(), freshDatabase()]);
});
afterAll(async () => {
  await batched?.close();
  await oneByOne?.close();
});

type Step = { kind: 'place' | 'confirm' | 'cancel'; reservation: number; flight: number; seats: number };

let eventSeq = 0;
function eventOf(s: Step): IntegrationEvent {
  const flightId = s.flight + 1;
  const summary = {
    reservationId: s.reservation,
    bookingReference: 'ABC234',
    customerId: 1,
    flightId,
    seatQty: s.seats,
    amount: 100 * s.seats,
    reserveDate: '2026-01-01',
  };
  const data =
    s.kind === 'place'
      ? {
          type: 'ReservationPlaced',
          data: {
            ...summary,
            paymentMethod: 'pm_card_visa',
            cardLast4: '4242',
            cardBrand: 'visa',
            holdExpiresAt: '2026-01-01T00:15:00.000Z',
          },
        }
      : s.kind === 'confirm'
        ? { type: 'ReservationConfirmed', data: summary }
        : { type: 'ReservationCancelled', data: { ...summary, reason: 'CUSTOMER', previousStatus: 'PENDING' } };
  return envelope(data as never, {
    eventId: `00000000-0000-4000-8000-${String(++eventSeq).padStart(12, '0')}`,
    occurredAt: '2026-01-01T00:00:00.000Z',
    correlationId: String(s.reservation),
    causationId: null,
  }) as IntegrationEvent;
}

/** Everything the seat side decided: flights, holds, and the answers in the outbox (without their ids). */
async function outcome(db: Database) {
  const flights = (await db.query('SELECT id, capacity, remaining_seats_count, event_seq FROM flights ORDER BY id')).rows;
  const holds = (await db.query('SELECT reservation_id, flight_id, seat_qty, status FROM seat_holds ORDER BY reservation_id')).rows;
  const answers = (await db.query<{ payload: IntegrationEvent }>('SELECT payload FROM outbox ORDER BY id')).rows.map((r) => ({
    type: r.payload.type,
    correlationId: r.payload.correlationId,
    data: r.payload.data,
  }));
  const accounting = (
    await db.query<{ id: number; capacity: number; taken: string }>(
      `SELECT f.id, f.capacity, (f.remaining_seats_count + coalesce(sum(h.seat_qty) FILTER (WHERE h.status IN ('HELD', 'SOLD')), 0))::text AS taken
     FROM flights f LEFT JOIN seat_holds h ON h.flight_id = f.id GROUP BY f.id ORDER BY f.id`,
    )
  ).rows;
  return { flights, holds, answers, accounting };
}

async function reset(db: Database) {
  await db.exec('TRUNCATE flights RESTART IDENTITY; TRUNCATE seat_holds; TRUNCATE outbox RESTART IDENTITY; TRUNCATE inbox');
  for (const capacity of CAPACITY)
    await db.query('INSERT INTO flights (flight_code, takeoff_date, cost, capacity, remaining_seats_count) VALUES ($1, $2, 100, $3, $3)', [
      'FL',
      '2026-02-01',
      capacity,
    ]);
}

const step = fc.record({
  kind: fc.constantFrom<Step['kind']>('place', 'place', 'confirm', 'cancel'),
  reservation: fc.integer({ min: 1, max: 8 }),
  flight: fc.integer({ min: 0, max: CAPACITY.length - 1 }),
  seats: fc.integer({ min: 1, max: 3 }),
});

describe('seat holds in batches', () => {
  it('decide exactly what the same events decide one at a time, and never take more seats than a flight has', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), async (steps) => {
        // a reservation keeps its flight and seats, as in the saga
        const first = new Map<number, Step>();
        for (const s of steps) if (!first.has(s.reservation)) first.set(s.reservation, s);
        const events = steps.map((s) =>
          eventOf({ ...s, flight: first.get(s.reservation)!.flight, seats: first.get(s.reservation)!.seats }),
        );
        await Promise.all([reset(batched), reset(oneByOne)]);

        const options = { consumer: 'flight', handlers: seatHandlers, lockOrder: seatLockOrder, prefetch: prefetchSeats };
        const outcomes = await createConsumer({ db: batched, ...options }).handle(events.map((event) => ({ event, attempt: 1 })));
        expect(outcomes.every((o) => o === 'done')).toBe(true);
        // one at a time, in the order the batch applies them (by flight, delivery order within a flight)
        const single = createConsumer({ db: oneByOne, ...options });
        for (const event of [...events].sort((a, b) => seatLockOrder(a) - seatLockOrder(b))) await single.handleOne(event);

        const [got, want] = await Promise.all([outcome(batched), outcome(oneByOne)]);
        expect(got).toEqual(want);
        for (const f of got.accounting) expect(Number(f.taken)).toBe(f.capacity);
        for (const f of got.flights) expect(f.remaining_seats_count).toBeGreaterThanOrEqual(0);
        // a flight numbers its answers 2, 3, … in the order it gave them (FlightRegistered was 1)
        for (const f of got.flights) {
          const numbers = got.answers
            .map((a) => a.data as { flightId: number; flightSeq: number })
            .filter((d) => d.flightId === f.id)
            .map((d) => d.flightSeq);
          expect(numbers).toEqual(numbers.map((_, i) => i + 2));
          expect(f.event_seq).toBe(numbers.length + 1);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('answers a placement on a flight with too few seats with SeatsSoldOut, and a hold released in the batch is there for the next', async () => {
    await reset(batched);
    const events = [
      eventOf({ kind: 'place', reservation: 1, flight: 1, seats: 2 }),
      eventOf({ kind: 'place', reservation: 2, flight: 1, seats: 1 }),
      eventOf({ kind: 'cancel', reservation: 1, flight: 1, seats: 2 }),
      eventOf({ kind: 'place', reservation: 3, flight: 1, seats: 2 }),
    ];
    await createConsumer({
      db: batched,
      consumer: 'flight',
      handlers: seatHandlers,
      lockOrder: seatLockOrder,
      prefetch: prefetchSeats,
    }).handle(events.map((event) => ({ event, attempt: 1 })));
    const { answers, flights } = await outcome(batched);
    expect(answers.map((a) => [a.type, a.correlationId, (a.data as { remainingSeatsCount: number }).remainingSeatsCount])).toEqual([
      ['SeatsReserved', '1', 0],
      ['SeatsSoldOut', '2', 0],
      ['SeatsReleased', '1', 2],
      ['SeatsReserved', '3', 0],
    ]);
    expect(flights[1]).toMatchObject({ capacity: 2, remaining_seats_count: 0 });
  });

  it('writes a flight row only as it was locked: a decision on a row that changed since fails the transaction, and nothing is written', async () => {
    // the database's guard of the decider's rule: the row changed behind the unit of work's back (here in
    // its own transaction, which no other writer can do while the row is locked)
    const placed = eventOf({ kind: 'place', reservation: 7, flight: 0, seats: 2 });
    const hold = (db: Database, change: string) =>
      db.transaction(async (tx) => {
        const uow = new UnitOfWork(tx);
        const key = { reservationId: 7, flightId: 1 };
        await loadSeats(uow, key);
        await tx.query(change);
        const handled = await handleCommand(seatDecider, { store: { load: loadSeats, save: saveSeats }, emit: () => undefined }, uow, key, {
          type: 'HoldSeats',
          placed: placed.data as never,
        });
        expect(handled).toMatchObject({ events: [{ type: 'SeatsReserved' }] });
        await uow.flush();
      });
    for (const change of [
      'UPDATE flights SET remaining_seats_count = 1 WHERE id = 1', // fewer seats than decided on
      "UPDATE flights SET status = 'CANCELLED' WHERE id = 1", // seats taken only from a scheduled flight
      'UPDATE flights SET event_seq = event_seq + 1 WHERE id = 1', // another event took this number
    ]) {
      await reset(batched);
      await expect(hold(batched, change)).rejects.toThrow(/flights did not change as decided/);
      const { flights, holds } = await outcome(batched);
      expect(flights[0]).toMatchObject({ remaining_seats_count: 3, event_seq: 1 });
      expect(holds).toEqual([]);
    }
    await reset(batched);
    await hold(batched, 'SELECT 1'); // and as locked, it holds
    expect((await outcome(batched)).flights[0]).toMatchObject({ remaining_seats_count: 1, event_seq: 2 });
  });
});
