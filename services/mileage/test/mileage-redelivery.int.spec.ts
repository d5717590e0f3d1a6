// Mileage under redelivery, at the inbox level, on a real (embedded) PostgreSQL: whatever bookings,
// each event delivered twice (alone or in batches, in any order), and then the whole log replayed
// into an emptied inbox, every balance is the sum of the confirmed-not-cancelled fares × the rate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { envelope, type IntegrationEvent } from '@airline/contracts';
import { createPgliteDatabase, migrate, type Database } from '@airline/database';
import { createConsumer, messagingMigration, type Consumer } from '@airline/outbox';
import { mileageHandlers } from '../src/handlers.js';
import { milesFor } from '../src/mileage.js';
import { mileageService } from '../src/index.js';

const RATE = 1_000; // 10 %
let db: Database;
let consumer: Consumer;

beforeAll(async () => {
  db = await createPgliteDatabase();
  await migrate(db, [messagingMigration, ...mileageService.migrations]);
  consumer = createConsumer({ db, consumer: 'mileage', handlers: mileageHandlers(RATE) });
});
afterAll(() => db?.close());

type Outcome = 'confirmed' | 'confirmed-then-cancelled' | 'cancelled-while-pending';
interface Booking {
  customerId: number;
  amount: number;
  outcome: Outcome;
}

let eventSeq = 0;
function eventsOf(reservationId: number, b: Booking): IntegrationEvent[] {
  const summary = {
    reservationId,
    bookingReference: 'ABC234',
    customerId: b.customerId,
    flightId: 1,
    seatQty: 1,
    amount: b.amount,
    reserveDate: '2026-01-01',
  };
  const at = (type: 'ReservationConfirmed' | 'ReservationCancelled', data: object) =>
    envelope({ type, data } as never, {
      eventId: `00000000-0000-4000-8000-${String(++eventSeq).padStart(12, '0')}`,
      occurredAt: '2026-01-01T00:00:00.000Z',
      correlationId: String(reservationId),
      causationId: null,
    }) as IntegrationEvent;
  switch (b.outcome) {
    case 'confirmed':
      return [at('ReservationConfirmed', summary)];
    case 'confirmed-then-cancelled':
      return [
        at('ReservationConfirmed', summary),
        at('ReservationCancelled', { ...summary, reason: 'FLIGHT_CANCELLED', previousStatus: 'CONFIRMED' }),
      ];
    case 'cancelled-while-pending':
      return [at('ReservationCancelled', { ...summary, reason: 'PAYMENT_DECLINED', previousStatus: 'PENDING' })];
  }
}

/** What the balances must be: the sum of confirmed-not-cancelled fares × rate, per customer. */
function expectedBalances(bookings: Booking[]) {
  const out: Record<number, number> = {};
  for (const b of bookings) {
    out[b.customerId] ??= 0;
    if (b.outcome === 'confirmed') out[b.customerId]! += milesFor(b.amount, RATE);
  }
  return out;
}

async function balances(customerIds: number[]) {
  const r = await db.query<{ customer_id: number; balance: string }>(
    'SELECT customer_id, sum(miles)::text AS balance FROM mileage_ledger WHERE customer_id = ANY($1::int[]) GROUP BY customer_id',
    [customerIds],
  );
  const out: Record<number, number> = Object.fromEntries(customerIds.map((c) => [c, 0]));
  for (const row of r.rows) out[row.customer_id] = Number(row.balance);
  return out;
}

const booking = fc.record({
  customerId: fc.integer({ min: 1, max: 5 }),
  amount: fc.integer({ min: 0, max: 10_000_000 }),
  outcome: fc.constantFrom<Outcome>('confirmed', 'confirmed-then-cancelled', 'cancelled-while-pending'),
});

describe('mileage under redelivery', () => {
  it('every event delivered twice, then the log replayed into a fresh inbox: balance = confirmed-not-cancelled fares × rate', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(booking, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 4 }),
        fc.infiniteStream(fc.nat()),
        async (bookings, batchSize, random) => {
          await db.exec('TRUNCATE mileage_ledger, inbox');
          const log = bookings.flatMap((b, i) => eventsOf(i + 1, b));
          const expected = expectedBalances(bookings);
          const customerIds = Object.keys(expected).map(Number);

          // each event twice, the copies mixed into the stream (a cancel never before its own confirm,
          // as the log orders them; the copies may come anywhere later)
          const deliveries: IntegrationEvent[] = [];
          const pending = [...log];
          const copies: IntegrationEvent[] = [];
          const rnd = random[Symbol.iterator]();
          while (pending.length || copies.length) {
            const takeCopy = copies.length > 0 && (pending.length === 0 || rnd.next().value % 2 === 0);
            if (takeCopy) deliveries.push(copies.splice(rnd.next().value % copies.length, 1)[0]!);
            else {
              const e = pending.shift()!;
              deliveries.push(e);
              copies.push(e);
            }
          }
          for (let i = 0; i < deliveries.length; i += batchSize) {
            const outcomes = await consumer.handle(deliveries.slice(i, i + batchSize).map((event) => ({ event, attempt: 1 })));
            expect(outcomes.every((o) => o === 'done')).toBe(true);
          }
          expect(await balances(customerIds)).toEqual(expected);

          // a replay of the whole log with an inbox that remembers nothing
          await db.exec('TRUNCATE inbox');
          await consumer.handle(log.map((event) => ({ event, attempt: 1 })));
          expect(await balances(customerIds)).toEqual(expected);
          const entries = Number((await db.query<{ n: string }>('SELECT count(*)::text AS n FROM mileage_ledger')).rows[0]!.n);
          expect(entries).toBe(
            bookings.reduce((n, b) => n + (b.outcome === 'confirmed' ? 1 : b.outcome === 'confirmed-then-cancelled' ? 2 : 0), 0),
          );
        },
      ),
      { numRuns: 40 },
    );
  });

  it('takes back exactly what was given, even when the cancel is handled before the confirm', async () => {
    await db.exec('TRUNCATE mileage_ledger, inbox');
    const [confirmed, cancelled] = eventsOf(99, { customerId: 9, amount: 12_345, outcome: 'confirmed-then-cancelled' });
    await consumer.handle([{ event: cancelled!, attempt: 1 }]);
    expect(await balances([9])).toEqual({ 9: -1_234 });
    await consumer.handle([{ event: confirmed!, attempt: 1 }]);
    expect(await balances([9])).toEqual({ 9: 0 });
  });
});
