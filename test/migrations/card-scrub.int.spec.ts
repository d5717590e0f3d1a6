// Data stored before card tokenisation: the migrations take the card numbers out of the event log, the
// outboxes and dead letters, the dashboard's history and the payments, and put the payment method,
// last four and brand in their place — what upcastEvent reads from an old event.
import { afterEach, describe, expect, it } from 'vitest';
import { createPgliteDatabase, migrate, type Database, type Migration } from '@airline/database';
import { idempotencyMigration } from '@airline/http';
import { messagingMigration } from '@airline/outbox';
import { createEmbeddedEventBus } from '@airline/messaging';
import { dashboardService } from '@airline/dashboard';
import { flightService } from '@airline/flight';
import { paymentService } from '@airline/payment';
import { eventLogCardScrub } from '../../runtime/system.js';

const OLD_CARD = '4571867530942138';
const DECLINED = '4000000000000002';
const meta = (type: string, id: string) => ({
  eventId: id,
  type,
  version: 1,
  occurredAt: '2026-01-01T00:00:00.000Z',
  correlationId: '7',
  causationId: null,
});
const placed = (card: string, id = '6f1c1b7e-6a8e-4c43-9f39-2a1d4c7b9e10') => ({
  ...meta('ReservationPlaced', id),
  data: {
    reservationId: 7,
    bookingReference: 'ABC234',
    customerId: 3,
    flightId: 1,
    seatQty: 2,
    amount: 400,
    reserveDate: '2026-01-01',
    holdExpiresAt: '2026-01-01T00:15:00.000Z',
    card,
  },
});
const reserved = (card: string) => ({
  ...meta('SeatsReserved', '7a2d1b7e-6a8e-4c43-9f39-2a1d4c7b9e11'),
  data: { reservationId: 7, customerId: 3, flightId: 1, seatQty: 2, amount: 400, remainingSeatsCount: 3, card },
});

const dbs: Database[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.close();
});
/** A database at the schema before tokenisation (the migrations that came before it). */
async function migratedBeforeTheScrub(migrations: Migration[]) {
  const db = await createPgliteDatabase();
  dbs.push(db);
  const old = migrations.filter((m) => !/^(003_payment_methods|100_scrub_card_numbers)/.test(m.name));
  await migrate(db, [messagingMigration, idempotencyMigration, ...old]);
  return db;
}
const text = async (db: Database, table: string) =>
  (await db.query<{ t: string }>(`SELECT coalesce(string_agg(x::text, ' '), '') AS t FROM ${table} x`)).rows[0]!.t;

describe('scrubbing card numbers from stored data', () => {
  it('flight: the outbox and dead letters', async () => {
    const db = await migratedBeforeTheScrub(flightService.migrations);
    await db.query(`INSERT INTO outbox (event_id, type, payload) VALUES ($1, 'SeatsReserved', $2)`, [
      reserved(OLD_CARD).eventId,
      JSON.stringify(reserved(OLD_CARD)),
    ]);
    await db.query(
      `INSERT INTO dead_letters (consumer, event_id, event_type, payload, error, attempts) VALUES ('flight', $1, 'ReservationPlaced', $2, 'x', 5)`,
      [placed(DECLINED).eventId, JSON.stringify(placed(DECLINED))],
    );
    expect(await text(db, 'outbox')).toContain(OLD_CARD); // the search sees what is there
    await migrate(db, [messagingMigration, idempotencyMigration, ...flightService.migrations]);
    expect(await text(db, 'outbox')).not.toContain(OLD_CARD);
    expect(await text(db, 'dead_letters')).not.toContain(DECLINED);
    const out = (await db.query<{ payload: { data: Record<string, unknown> } }>('SELECT payload FROM outbox')).rows[0]!.payload.data;
    expect(out).toMatchObject({ paymentMethod: 'pm_card_legacy', cardLast4: '2138', cardBrand: 'visa', remainingSeatsCount: 3 });
    expect(out).not.toHaveProperty('card');
    const parked = (await db.query<{ payload: { data: Record<string, unknown> } }>('SELECT payload FROM dead_letters')).rows[0]!.payload
      .data;
    expect(parked).toMatchObject({ paymentMethod: 'pm_card_chargeDeclined', cardLast4: '0002' }); // a declining test card still declines
  });

  it('payment: the payments keep a token, last four and brand; the card column is gone', async () => {
    const db = await migratedBeforeTheScrub(paymentService.migrations);
    await db.query(
      `INSERT INTO payments (reservation_id, customer_id, amount, card, status) VALUES (1, 1, 100, $1, 'PENDING'), (2, 1, 100, $2, 'APPROVED'), (3, 1, 100, '', 'VOIDED')`,
      [OLD_CARD, DECLINED],
    );
    await migrate(db, [messagingMigration, idempotencyMigration, ...paymentService.migrations]);
    expect(await text(db, 'payments')).not.toContain(OLD_CARD);
    const rows = (await db.query('SELECT reservation_id, payment_method, card_last4, card_brand FROM payments ORDER BY reservation_id'))
      .rows;
    expect(rows).toEqual([
      { reservation_id: 1, payment_method: 'pm_card_legacy', card_last4: '2138', card_brand: 'visa' },
      { reservation_id: 2, payment_method: 'pm_card_chargeDeclined', card_last4: '0002', card_brand: 'visa' },
      { reservation_id: 3, payment_method: null, card_last4: '', card_brand: '' },
    ]);
  });

  it('dashboard: the reservation history (event data)', async () => {
    const db = await migratedBeforeTheScrub(dashboardService.migrations);
    await db.query(
      `INSERT INTO reservation_history (event_id, reservation_id, customer_id, type, step, occurred_at, summary, data) VALUES ($1, 7, 3, 'ReservationPlaced', 1, now(), 'placed', $2)`,
      [placed(OLD_CARD).eventId, JSON.stringify(placed(OLD_CARD).data)],
    );
    await migrate(db, [messagingMigration, idempotencyMigration, ...dashboardService.migrations]);
    expect(await text(db, 'reservation_history')).not.toContain(OLD_CARD);
    expect((await db.query<{ data: unknown }>('SELECT data FROM reservation_history')).rows[0]!.data).toMatchObject({
      paymentMethod: 'pm_card_legacy',
      cardLast4: '2138',
    });
  });

  it('the embedded event log', async () => {
    const db = await createPgliteDatabase();
    dbs.push(db);
    const bus = await createEmbeddedEventBus(db);
    await bus.close();
    await db.query(
      `INSERT INTO event_log (event_id, type, correlation_id, occurred_at, payload) VALUES ($1, 'ReservationPlaced', '7', now(), $2)`,
      [placed(OLD_CARD).eventId, JSON.stringify(placed(OLD_CARD))],
    );
    await migrate(db, [eventLogCardScrub]);
    expect(await text(db, 'event_log')).not.toContain(OLD_CARD);
    expect((await db.query<{ payload: { data: unknown } }>('SELECT payload FROM event_log')).rows[0]!.payload.data).toMatchObject({
      paymentMethod: 'pm_card_legacy',
      cardLast4: '2138',
      reservationId: 7,
    });
  });
});
