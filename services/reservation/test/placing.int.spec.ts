// Placing bookings over HTTP (step 1), on the reservation service alone with its pipeline stopped: what
// lands in its tables and outbox. Bookings that arrive together are placed in one transaction (group
// commit) and still each get their own answer; a taken booking reference is drawn again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createPgliteDatabase, type Database } from '@airline/database';
import { createEmbeddedEventBus } from '@airline/messaging';
import { startService, type RunningService } from '@airline/service';
import { http } from '@airline/testing';
import { defaultReservationConfig, reservationService } from '../src/index.js';

const draws: string[] = [];
let service: RunningService;
let db: Database;
let busDb: Database;
let api: ReturnType<typeof http>;

beforeAll(async () => {
  [db, busDb] = await Promise.all([createPgliteDatabase(), createPgliteDatabase()]);
  const bus = await createEmbeddedEventBus(busDb);
  // references are drawn from `draws` while it has any, then at random
  let random = 0;
  const drawReference = () => draws.shift() ?? `R${String(++random).padStart(5, '0')}`;
  // customer 7 books many times on flight 1 here: no limit of seats per customer gets in the way
  const limits = { maxSeatsPerCustomerOnFlight: 1_000 };
  service = await startService(
    reservationService,
    { ...defaultReservationConfig, drawReference, limits },
    { db, bus, log: pino({ level: 'silent' }), port: 0, pipeline: false },
  );
  await db.query(
    `INSERT INTO flight_catalog (flight_id, flight_code, takeoff_date, cost, status) VALUES (1, 'KE001', '2027-01-01', 100, 'SCHEDULED')`,
  );
  api = http(service.url);
});
afterAll(async () => {
  await service?.stop();
  await db?.close();
  await busDb?.close();
});

const book = (flightId = 1, seatQty = 1) => api.post('/reservations', { customerId: 7, flightId, seatQty });
const placedEvents = async () =>
  (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE type = 'ReservationPlaced'`)).rows[0]!.n;

describe('placing bookings', () => {
  it('answers each of 40 bookings sent at once on its own: 201 with its reservation, or 422 for an unknown flight, with no gap in the ids', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => book(i % 10 === 9 ? 99 : 1, 1 + (i % 3))));
    const placed = answers.filter((a) => a.status === 201);
    expect(placed).toHaveLength(36);
    expect(answers.filter((a) => a.status === 422).map((a) => a.body.field)).toEqual(['flightId', 'flightId', 'flightId', 'flightId']);
    expect(placed.map((a) => a.body.id).sort((x, y) => x - y)).toEqual(Array.from({ length: 36 }, (_, i) => i + 1));
    // each answer is its own booking: the seats asked for, PENDING, and its own ReservationPlaced
    answers.forEach((a, i) => {
      if (a.status === 201)
        expect(a.body).toMatchObject({ customerId: 7, flightId: 1, seatQty: 1 + (i % 3), status: 'PENDING', amount: 100 * (1 + (i % 3)) });
    });
    expect(await placedEvents()).toBe(36);
    const rows = (await db.query<{ id: number; seat_qty: number }>('SELECT id, seat_qty FROM reservations ORDER BY id')).rows;
    expect(rows.map((r) => r.id)).toEqual(placed.map((a) => a.body.id).sort((x, y) => x - y));
  });

  it('draws another booking reference when the one drawn is taken; nothing of the failed try is kept', async () => {
    draws.push('TAKEN1');
    const first = await book();
    draws.push('TAKEN1', 'FRESH1');
    const second = await book();
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(first.body.bookingReference).toBe('TAKEN1');
    expect(second.body.bookingReference).toBe('FRESH1');
    expect(
      (await db.query(`SELECT booking_reference FROM reservations WHERE booking_reference IN ('TAKEN1', 'FRESH1') ORDER BY 1`)).rows,
    ).toEqual([{ booking_reference: 'FRESH1' }, { booking_reference: 'TAKEN1' }]);
    expect(await placedEvents()).toBe(38);
  });

  it('25 requests at once with one Idempotency-Key make one reservation; a replay answers its state now, not the first PENDING', async () => {
    const body = { customerId: 8, flightId: 1, seatQty: 2 };
    const answers = await Promise.all(Array.from({ length: 25 }, () => api.post('/reservations', body, { 'idempotency-key': 'one-key' })));
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([201]));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(24);
    const id = answers[0]!.body.id;
    expect((await db.query('SELECT id FROM reservations WHERE customer_id = 8')).rows).toEqual([{ id }]);
    // the saga confirms it meanwhile (its pipeline is stopped here: the row is moved as the saga would)
    await db.query(`UPDATE reservations SET status = 'CONFIRMED' WHERE id = $1`, [id]);
    const replay = await api.post('/reservations', body, { 'idempotency-key': 'one-key' });
    expect(replay.status).toBe(201);
    expect(replay.body).toMatchObject({ id, status: 'CONFIRMED', bookingReference: answers[0]!.body.bookingReference });
  });

  it('shows its booking limits, and names the limit a booking would pass', async () => {
    expect((await api.get('/reservations/limits')).body).toEqual({
      maxSeatsPerBooking: 9,
      maxSeatsPerCustomerOnFlight: 1_000,
      maxAmount: 2_147_483_647,
    });
    const tooMany = await api.post('/reservations', { customerId: 9, flightId: 1, seatQty: 10 });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body).toMatchObject({ field: 'seatQty', detail: expect.stringContaining('9') });
  });
});
