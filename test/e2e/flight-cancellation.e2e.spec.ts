// SPEC step 8 end to end on the embedded runtime: staff cancel a flight with 50 active (confirmed)
// reservations → every one is cancelled (FLIGHT_CANCELLED), refunded, its miles taken back, and its
// customer told once; the board shows the flight cancelled with its seats back; new bookings are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http } from '@airline/testing';
import { FREE_PORTS, startEmbeddedSystem, type EmbeddedSystem } from '../../runtime/system.js';

const COST = 1_000;
const MILES_PER_BOOKING = 100; // 10 % of the fare, the default rate
const customers = Array.from({ length: 25 }, (_, i) => 300 + i); // two bookings each: 50

let system: EmbeddedSystem;
let api: {
  flight: ReturnType<typeof http>;
  reservation: ReturnType<typeof http>;
  payment: ReturnType<typeof http>;
  mileage: ReturnType<typeof http>;
  notification: ReturnType<typeof http>;
  dashboard: ReturnType<typeof http>;
};

beforeAll(async () => {
  system = await startEmbeddedSystem({ ports: FREE_PORTS, busPollMs: 50 });
  api = {
    flight: http(system.urls.flight),
    reservation: http(system.urls.reservation),
    payment: http(system.urls.payment),
    mileage: http(system.urls.mileage),
    notification: http(system.urls.notification),
    dashboard: http(system.urls.dashboard),
  };
});
afterAll(() => system?.stop());

type Reservation = { id: number; customerId: number; status: string; cancelReason: string | null };

describe('cancelling a flight with 50 active reservations', () => {
  let flightId: number;
  let active: Reservation[];
  let cancelledBefore: Reservation;

  it('has 50 confirmed bookings and their miles first (and one the customer had cancelled)', async () => {
    flightId = (await api.flight.post('/flights', { flightCode: 'KE050', takeoffDate: '2026-09-01', cost: COST, capacity: 60 })).body.id;
    await eventually(
      () => system.services.reservation.db.query('SELECT 1 FROM flight_catalog WHERE flight_id = $1', [flightId]),
      (q) => q.rowCount === 1,
    );
    const placed = await Promise.all(
      [...customers, ...customers].map((customerId) => api.reservation.post('/reservations', { customerId, flightId, seatQty: 1 })),
    );
    expect(placed.every((r) => r.status === 201)).toBe(true);
    const early = await api.reservation.post('/reservations', { customerId: 399, flightId, seatQty: 1 });
    await eventually(
      () => api.reservation.get(`/reservations/${early.body.id}`),
      (r) => r.body.status === 'CONFIRMED',
    );
    cancelledBefore = (await api.reservation.post(`/reservations/${early.body.id}/cancel`)).body;
    expect(cancelledBefore).toMatchObject({ status: 'CANCELED', cancelReason: 'CUSTOMER' });

    active = (
      await eventually(
        () => api.reservation.get<Reservation[]>(`/reservations?flightId=${flightId}&status=CONFIRMED`),
        (r) => r.body.length === 50,
        { timeoutMs: 60_000, everyMs: 200 },
      )
    ).body;
    await eventually(
      () => Promise.all(customers.map((c) => api.mileage.get(`/mileages/${c}`))),
      (rs) => rs.every((r) => r.body.balance === 2 * MILES_PER_BOOKING),
    );
  });

  it('cancels every one of them (FLIGHT_CANCELLED) and gives the seats back', async () => {
    const cancel = await api.flight.post(`/flights/${flightId}/cancel`);
    expect(cancel.status).toBe(200);
    expect(cancel.body.status).toBe('CANCELLED');
    const after = await eventually(
      () => api.reservation.get<Reservation[]>(`/reservations?flightId=${flightId}`),
      (r) => r.body.every((x) => x.status === 'CANCELED'),
      { timeoutMs: 60_000, everyMs: 200 },
    );
    expect(
      after.body
        .filter((x) => x.cancelReason === 'FLIGHT_CANCELLED')
        .map((x) => x.id)
        .sort(),
    ).toEqual(active.map((x) => x.id).sort());
    expect(after.body.find((x) => x.id === cancelledBefore.id)?.cancelReason).toBe('CUSTOMER'); // not cancelled twice
    const seats = await eventually(
      () => api.flight.get(`/flights/${flightId}/seats`),
      (r) => r.body.remainingSeatsCount === 60,
    );
    expect(seats.body).toEqual({ capacity: 60, remainingSeatsCount: 60, held: 0, sold: 0 });
  });

  it('refunds every payment', async () => {
    const ids = new Set(active.map((r) => r.id));
    const payments = await eventually(
      () => api.payment.get<any[]>('/payments?limit=1000'),
      (r) => r.body.filter((p) => ids.has(p.reservationId)).every((p) => p.status === 'REFUNDED'),
      { timeoutMs: 60_000, everyMs: 250 },
    );
    const refunded = payments.body.filter((p) => ids.has(p.reservationId));
    expect(refunded).toHaveLength(50);
    expect(refunded.every((p) => p.cost === COST)).toBe(true);
  });

  it('takes every mile back: each booking has its accrual and its reversal, every balance is 0', async () => {
    const accounts = await eventually(
      () => Promise.all(customers.map((c) => api.mileage.get(`/mileages/${c}`))),
      (rs) => rs.every((r) => r.body.balance === 0),
    );
    expect(accounts.map((r) => r.body)).toEqual(customers.map((customerId) => ({ customerId, balance: 0, accrued: 200, reversed: 200 })));
    for (const c of customers) {
      const ledger = (await api.mileage.get<any[]>(`/mileages/${c}/ledger`)).body;
      expect(ledger.map((e) => [e.kind, e.miles]).sort()).toEqual([
        ['ACCRUAL', 100],
        ['ACCRUAL', 100],
        ['REVERSAL', -100],
        ['REVERSAL', -100],
      ]);
    }
  });

  it('tells each customer once per booking, in plain words', async () => {
    const ids = new Set(active.map((r) => r.id));
    const told = await eventually(
      () => api.notification.get<any[]>('/notifications?kind=FLIGHT_CANCELLED&limit=1000'),
      (r) => r.body.filter((n) => ids.has(n.reservationId)).length >= 50,
    );
    const mine = told.body.filter((n) => n.reservationId !== cancelledBefore.id);
    expect(mine.map((n) => n.reservationId).sort()).toEqual([...ids].sort()); // one each, none twice
    expect(told.body.some((n) => n.reservationId === cancelledBefore.id)).toBe(false);
    // money and dates as on the pages, and who flies (issue 14)
    expect(mine[0].message).toMatch(
      /^The airline cancelled flight KE050 on 1 Sept? 2026\. Your booking [A-Z2-9]{6} is cancelled\. Your payment of ₩1,000 will be refunded\. Passengers: \d+ to be named\.$/,
    );
    // placed, confirmed, flight cancelled: three notifications per booking, no more
    const all = (await api.notification.get<any[]>('/notifications?limit=1000')).body.filter((n) => ids.has(n.reservationId));
    expect(all).toHaveLength(150);
  });

  it('shows the flight cancelled on the board and every booking cancelled on customerInfos', async () => {
    const board = await eventually(
      () => api.dashboard.get(`/flightBoard/${flightId}`),
      (r) => r.body.status === 'CANCELLED' && r.body.remainingSeatsCount === 60,
    );
    expect(board.body).toMatchObject({ flightCode: 'KE050', capacity: 60, remainingSeatsCount: 60, seatsTaken: 0, status: 'CANCELLED' });
    const infos = await eventually(
      () => api.dashboard.get<any[]>('/customerInfos'),
      (r) => customers.every((c) => r.body.find((x) => x.customerId === c)?.cancelledCount === 2),
    );
    expect(infos.body.filter((x) => customers.includes(x.customerId)).every((x) => x.flightCount === 2 && x.confirmedCount === 0)).toBe(
      true,
    );
  });

  it('refuses new bookings on the cancelled flight with a clear error', async () => {
    const r = await api.reservation.post('/reservations', { customerId: 1, flightId, seatQty: 1 });
    expect(r.status).toBe(409);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body).toMatchObject({ status: 409, field: 'flightId', detail: `flight ${flightId} is cancelled and takes no bookings` });
  });
});
