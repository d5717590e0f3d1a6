// The booking saga end to end on the embedded runtime, over HTTP on the internal service ports:
// every path of SPEC steps 1–7.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http, internalHttp } from '@airline/testing';
import { startEmbeddedSystem } from '../../runtime/system.js';

const FREE = { gateway: 0, reservation: 0, flight: 0, payment: 0, dashboard: 0, mileage: 0, notification: 0, processor: 0 };
const DECLINED_CARD = '4000000000000002';

async function withSystem(options: Parameters<typeof startEmbeddedSystem>[0] = {}) {
  const system = await startEmbeddedSystem({ ports: FREE, busPollMs: 50, ...options });
  // the saga's own guarantees, on the internal service ports (the gateway's edge has its own specs)
  const api = internalHttp(system.urls);
  async function flight(capacity: number, cost = 100) {
    const r = await api.post('/flights', { flightCode: `KE${capacity}`, takeoffDate: '2026-12-24', cost, capacity });
    expect(r.status).toBe(201);
    // booking needs the flight in the reservation service's own catalog copy (FlightRegistered)
    await eventually(
      () => system.services.reservation.db.query('SELECT 1 FROM flight_catalog WHERE flight_id = $1', [r.body.id]),
      (q) => q.rowCount === 1,
    );
    return r.body as { id: number; capacity: number };
  }
  const settled = (id: number) =>
    eventually(
      () => api.get(`/reservations/${id}`),
      (r) => r.body.status !== 'PENDING',
    );
  const seats = async (flightId: number) =>
    (await api.get(`/flights/${flightId}/seats`)).body as { capacity: number; remainingSeatsCount: number; held: number; sold: number };
  return { system, api, flight, settled, seats };
}

describe('booking saga', () => {
  let t: Awaited<ReturnType<typeof withSystem>>;
  beforeAll(async () => {
    t = await withSystem();
  });
  afterAll(() => t?.system.stop());

  it('never overbooks: 200 simultaneous 1-seat bookings on 50 seats → 50 CONFIRMED, 150 SOLD_OUT', async () => {
    const { api, flight, seats } = t;
    const f = await flight(50);
    const placed = await Promise.all(
      Array.from({ length: 200 }, (_, i) => api.post('/reservations', { customerId: 1000 + i, flightId: f.id, seatQty: 1 })),
    );
    expect(placed.map((r) => r.status)).toEqual(Array(200).fill(201));
    const all = await eventually(
      () => api.get<any[]>(`/reservations?flightId=${f.id}`),
      (r) => r.body.length === 200 && r.body.every((x) => x.status !== 'PENDING'),
      { timeoutMs: 120_000, everyMs: 250 },
    );
    const outcome = (s: string, reason: string | null) => all.body.filter((x) => x.status === s && x.cancelReason === reason).length;
    expect({ confirmed: outcome('CONFIRMED', null), soldOut: outcome('CANCELED', 'SOLD_OUT') }).toEqual({ confirmed: 50, soldOut: 150 });
    // the flight marks holds SOLD when it consumes ReservationConfirmed, just after the reservation changed
    expect(
      await eventually(
        () => seats(f.id),
        (s) => s.held === 0,
      ),
    ).toEqual({ capacity: 50, remainingSeatsCount: 0, held: 0, sold: 50 });
    const payments = await api.get<any[]>(`/payments?limit=1000`);
    const forFlight = payments.body.filter((p) => all.body.some((r) => r.id === p.reservationId && r.status === 'CONFIRMED'));
    expect(forFlight.every((p) => p.status === 'APPROVED')).toBe(true);
    expect(forFlight).toHaveLength(50);
  });

  it('a declined card cancels the booking (PAYMENT_DECLINED) and gives the seats back', async () => {
    const { api, flight, settled, seats } = t;
    const f = await flight(4, 250);
    const r = await api.post('/reservations', { customerId: 7, flightId: f.id, seatQty: 3, card: DECLINED_CARD });
    expect((await settled(r.body.id)).body).toMatchObject({ status: 'CANCELED', cancelReason: 'PAYMENT_DECLINED' });
    await eventually(
      () => seats(f.id),
      (s) => s.remainingSeatsCount === 4,
    );
    expect(await seats(f.id)).toEqual({ capacity: 4, remainingSeatsCount: 4, held: 0, sold: 0 });
    expect((await api.get(`/payments?reservationId=${r.body.id}`)).body).toMatchObject([
      { status: 'DECLINED', declineReason: 'card_declined', cost: 750 },
    ]);
  });

  it('a customer cancel refunds the payment and returns the seats; a second cancel is a 409', async () => {
    const { api, flight, settled, seats } = t;
    const f = await flight(5, 1000);
    const r = await api.post('/reservations', { customerId: 8, flightId: f.id, seatQty: 2 });
    expect((await settled(r.body.id)).body.status).toBe('CONFIRMED');
    expect(
      await eventually(
        () => seats(f.id),
        (s) => s.sold === 2,
      ),
    ).toMatchObject({ remainingSeatsCount: 3, held: 0, sold: 2 });
    const cancel = await api.post(`/reservations/${r.body.id}/cancel`);
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({ status: 'CANCELED', cancelReason: 'CUSTOMER' });
    await eventually(
      () => api.get(`/payments?reservationId=${r.body.id}`),
      (p) => p.body[0]?.status === 'REFUNDED',
    );
    await eventually(
      () => seats(f.id),
      (s) => s.remainingSeatsCount === 5,
    );
    expect(await seats(f.id)).toEqual({ capacity: 5, remainingSeatsCount: 5, held: 0, sold: 0 });
    const again = await api.delete(`/reservations/${r.body.id}`);
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
  });

  it('a retried POST with the same Idempotency-Key creates one reservation and returns the first result', async () => {
    const { api, flight } = t;
    const f = await flight(10);
    const body = { customerId: 9, flightId: f.id, seatQty: 1 };
    const [a, b] = await Promise.all([
      api.post('/reservations', body, { 'idempotency-key': 'k-1' }),
      api.post('/reservations', body, { 'idempotency-key': 'k-1' }),
    ]);
    const c = await api.post('/reservations', body, { 'idempotency-key': 'k-1' });
    expect([a.status, b.status, c.status]).toEqual([201, 201, 201]);
    expect(new Set([a.body.id, b.body.id, c.body.id]).size).toBe(1);
    expect(c.body.bookingReference).toBe(a.body.bookingReference);
    expect((await api.get<any[]>(`/reservations?flightId=${f.id}`)).body).toHaveLength(1);
    const reused = await api.post('/reservations', { ...body, seatQty: 2 }, { 'idempotency-key': 'k-1' });
    expect(reused.status).toBe(422);
    expect(reused.body.field).toBe('Idempotency-Key');
  });

  it('looks a booking up by its reference', async () => {
    const { api, flight } = t;
    const f = await flight(3);
    const r = await api.post('/reservations', { customerId: 10, flightId: f.id, seatQty: 1 });
    expect((await api.get(`/reservations/by-reference/${r.body.bookingReference.toLowerCase()}`)).body.id).toBe(r.body.id);
    expect((await api.get('/reservations/by-reference/ZZZZZZ')).status).toBe(404);
  });

  describe('bad input gets a 4xx problem naming the field, and writes nothing', () => {
    const cases: Array<[string, unknown, number, string | undefined]> = [
      ['missing seatQty', { customerId: 1, flightId: 1 }, 400, 'seatQty'],
      ['negative seatQty', { customerId: 1, flightId: 1, seatQty: -1 }, 400, 'seatQty'],
      ['zero seatQty', { customerId: 1, flightId: 1, seatQty: 0 }, 400, 'seatQty'],
      ['fractional seatQty', { customerId: 1, flightId: 1, seatQty: 1.5 }, 400, 'seatQty'],
      ['seatQty as a word', { customerId: 1, flightId: 1, seatQty: 'three' }, 400, 'seatQty'],
      ['seatQty true', { customerId: 1, flightId: 1, seatQty: true }, 400, 'seatQty'],
      ['seatQty null', { customerId: 1, flightId: 1, seatQty: null }, 400, 'seatQty'],
      ['huge seatQty', { customerId: 1, flightId: 1, seatQty: 1e20 }, 400, 'seatQty'],
      ['huge customerId', { customerId: 2 ** 40, flightId: 1, seatQty: 1 }, 400, 'customerId'],
      ['customerId as an object', { customerId: { $gt: 0 }, flightId: 1, seatQty: 1 }, 400, 'customerId'],
      ['unknown flight', { customerId: 1, flightId: 999_999, seatQty: 1 }, 422, 'flightId'],
      ['bad card', { customerId: 1, flightId: 1, seatQty: 1, card: "4242' OR 1=1" }, 400, 'card'],
      // the card rule (digits only, 12–19, Luhn): each of these used to hold seats until the hold expired
      ['a 20-digit card', { customerId: 1, flightId: 1, seatQty: 1, card: '42424242424242424242' }, 400, 'card'],
      ['12 spaces as a card', { customerId: 1, flightId: 1, seatQty: 1, card: '            ' }, 400, 'card'],
      ['a card failing Luhn', { customerId: 1, flightId: 1, seatQty: 1, card: '4242424242424241' }, 400, 'card'],
      ['a card with spaces', { customerId: 1, flightId: 1, seatQty: 1, card: '4242 4242 4242 4242' }, 400, 'card'],
      [
        'a token the processor never issued',
        { customerId: 1, flightId: 1, seatQty: 1, paymentMethod: 'pm_neverIssued' },
        400,
        'paymentMethod',
      ],
      [
        'a card and a token',
        { customerId: 1, flightId: 1, seatQty: 1, card: '4242424242424242', paymentMethod: 'pm_card_visa' },
        400,
        'card',
      ],
      ['bad reserveDate', { customerId: 1, flightId: 1, seatQty: 1, reserveDate: '2024-13-45' }, 400, 'reserveDate'],
      ['malformed JSON', '{"customerId": 1,', 400, undefined],
      ['a JSON array', '[1,2,3]', 400, undefined],
    ];
    it.each(cases)('%s', async (_name, body, status, field) => {
      const { api } = t;
      const before = (await api.get<any[]>('/reservations')).body.length;
      const r = await api.post('/reservations', body);
      expect(r.status).toBe(status);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
      if (field) expect(r.body.field).toBe(field);
      expect((await api.get<any[]>('/reservations')).body.length).toBe(before);
    });
    it('rejects bad flights the same way', async () => {
      const { api } = t;
      for (const [body, field] of [
        [{ flightCode: 'A1', takeoffDate: '2026-01-01', cost: -5, capacity: 3 }, 'cost'],
        [{ flightCode: 'A1', takeoffDate: 'tomorrow', cost: 5, capacity: 3 }, 'takeoffDate'],
        [{ flightCode: 'A1', takeoffDate: '2026-01-01', cost: 5 }, 'capacity'],
        [{ flightCode: 'A1', takeoffDate: '2026-01-01', cost: 5, capacity: 3, remainingSeatsCount: 4 }, 'remainingSeatsCount'],
      ] as const) {
        const r = await api.post('/flights', body);
        expect(r.status, JSON.stringify(body)).toBe(400);
        expect(r.body.field).toBe(field);
      }
      expect((await api.get('/flights/abc')).status).toBe(400);
      expect((await api.get('/reservations/0')).status).toBe(400);
      expect((await api.get('/reservations/99999')).status).toBe(404);
    });
  });
});

describe('unpaid holds expire', () => {
  let t: Awaited<ReturnType<typeof withSystem>>;
  beforeAll(async () => {
    t = await withSystem({ reservation: { holdTtlMs: 3000, expirySweepMs: 200 }, payment: { breakerResetMs: 500 } });
  });
  afterAll(() => t?.system.stop());
  afterEach(() => Object.assign(t.system.processor.faults, { outage: false, latencyMs: 0, failureRate: 0 })); // one spec's faults never leak into the next

  it('while the processor is down: PAYMENT_TIMEOUT, seats released, and the payment is never charged after', async () => {
    const { api, system, flight, settled, seats } = t;
    const f = await flight(6, 300);
    system.processor.faults.outage = true;
    const r = await api.post('/reservations', { customerId: 11, flightId: f.id, seatQty: 4 });
    expect(r.status).toBe(201); // bookings are still accepted
    expect((await settled(r.body.id)).body).toMatchObject({ status: 'CANCELED', cancelReason: 'PAYMENT_TIMEOUT' });
    await eventually(
      () => seats(f.id),
      (s) => s.remainingSeatsCount === 6,
    );
    // held, then released (SeatsReleased reaches the log once the flight's relay has run)
    const saga = await eventually(
      async () => (await system.bus.read({ correlationId: String(r.body.id) })).map((e) => e.event.type),
      (types) => types.length >= 4,
    );
    expect(saga).toEqual(['ReservationPlaced', 'SeatsReserved', 'ReservationCancelled', 'SeatsReleased']);
    system.processor.faults.outage = false;
    // the hold is over: payment never charges for it, it only voids by reference what a timed-out call may have done
    const payment = await eventually(
      () => api.get(`/payments?reservationId=${r.body.id}`),
      (p) => p.body[0]?.status === 'VOIDED',
      { timeoutMs: 60_000 },
    );
    expect(payment.body[0].authorizationCode).toBeNull();
    const charge = await http(system.urls.processor).get(`/v1/charges/reservation-${r.body.id}`);
    expect(charge.status === 404 || charge.body.status !== 'approved').toBe(true);
    expect(await seats(f.id)).toEqual({ capacity: 6, remainingSeatsCount: 6, held: 0, sold: 0 });
  });

  it('a slow processor within the hold still confirms (timeouts and retries, not failures)', async () => {
    const { api, system, flight, settled } = t;
    const f = await flight(2);
    system.processor.faults.latencyMs = 100;
    const r = await api.post('/reservations', { customerId: 12, flightId: f.id, seatQty: 1 });
    expect((await settled(r.body.id)).body).toMatchObject({ status: 'CONFIRMED', cancelReason: null });
    system.processor.faults.latencyMs = 0;
  });
});

describe('failure isolation', () => {
  it('accepts bookings while the flight service is down; they complete from the log when it is back', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'airline-isolation-'));
    try {
      let t = await withSystem({ dataDir });
      const f = await t.flight(3, 10);
      await t.system.stop();

      // flight down: its HTTP still answers in this runtime, but it consumes and publishes nothing
      t = await withSystem({ dataDir, paused: ['flight'] });
      const r = await t.api.post('/reservations', { customerId: 1, flightId: f.id, seatQty: 2 });
      expect(r.status).toBe(201);
      await new Promise((res) => setTimeout(res, 500));
      expect((await t.api.get(`/reservations/${r.body.id}`)).body.status).toBe('PENDING');
      await t.system.stop();

      t = await withSystem({ dataDir });
      expect((await t.settled(r.body.id)).body.status).toBe('CONFIRMED');
      expect(
        await eventually(
          () => t.seats(f.id),
          (s) => s.sold === 2,
        ),
      ).toEqual({ capacity: 3, remainingSeatsCount: 1, held: 0, sold: 2 });
      await t.system.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
