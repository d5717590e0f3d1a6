// The read side on the distributed runtime (PostgreSQL + JetStream, one process per service): seed
// 000's CQRS demo on the dashboard, miles, notifications, the saga timeline read from the stream, and
// the dashboard rebuilt from the stream to the same tables.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, http } from '@airline/testing';
import { registerFlight, startTestCluster, type TestCluster } from './fixture.js';

let t: TestCluster;
beforeAll(async () => {
  t = await startTestCluster('readside');
});
afterAll(async () => {
  await t?.dispose();
});

const READ_MODELS = ['dashboard_reservations', 'customer_infos', 'flight_board', 'flight_board_seats', 'reservation_history'];
const snapshot = async () =>
  Object.fromEntries(
    await Promise.all(READ_MODELS.map(async (table) => [table, await t.sql('dashboard', `SELECT * FROM ${table} ORDER BY 1`)])),
  );

describe('the read side in cluster mode', () => {
  it("runs seed 000's CQRS demo: customerInfos on the dashboard after three bookings", async () => {
    const flightId = await registerFlight(t, 5, 'ACE890');
    for (const [customerId, seatQty, reserveDate] of [
      ['1', '3', '2024-11-11'],
      ['2', '1', '2024-11-23'],
      ['2', '1', '2024-12-25'],
    ] as const) {
      expect(
        (await t.reservation.post('/reservations', { customerId, flightId: String(flightId), seatQty, reserveDate, status: 'SUCCEED' }))
          .status,
      ).toBe(201);
    }
    const dashboard = http(t.cluster.urls.dashboard!);
    // every booking confirmed and projected (confirmations of one payment pass may reach the dashboard in either order)
    const infos = await eventually(
      () => dashboard.get<any[]>('/customerInfos'),
      (r) => r.body.length === 2 && r.body.every((c) => c.confirmedCount === c.flightCount),
      { timeoutMs: 60_000 },
    );
    expect(infos.body).toEqual([
      { customerId: 1, flightCount: 1, recentReserveDate: '2024-11-11', confirmedCount: 1, cancelledCount: 0 },
      { customerId: 2, flightCount: 2, recentReserveDate: '2024-12-25', confirmedCount: 2, cancelledCount: 0 },
    ]);
    await eventually(
      () => dashboard.get<any[]>('/flightBoard'),
      (r) => r.body[0]?.remainingSeatsCount === 0,
    );
  });

  it('accrues miles and stores one notification per status change', async () => {
    const mileage = http(t.cluster.urls.mileage!);
    // the fixture's flights cost 100 a seat: 10 % of two 1-seat bookings
    await eventually(
      () => mileage.get('/mileages/2'),
      (r) => r.body.balance === 20,
      { timeoutMs: 60_000 },
    );
    const first = await eventually(
      () => mileage.get('/mileages/1'),
      (r) => r.body.accrued > 0,
      { timeoutMs: 60_000 },
    );
    expect(first.body).toEqual({ customerId: 1, balance: 30, accrued: 30, reversed: 0 });
    const notifications = http(t.cluster.urls.notification!);
    const told = await eventually(
      () => notifications.get<any[]>('/notifications'),
      (r) => r.body.length === 6,
      { timeoutMs: 60_000 },
    );
    expect(told.body.map((n) => n.kind).sort()).toEqual([
      ...Array(3).fill('RESERVATION_CONFIRMED'),
      ...Array(3).fill('RESERVATION_PLACED'),
    ]);
  });

  it('shows the saga timeline read from the stream', async () => {
    const first = (await t.reservation.get<any[]>('/reservations?customerId=1')).body[0];
    const timeline = await t.reservation.get(`/reservations/${first.id}/timeline`);
    expect(timeline.status).toBe(200);
    expect(timeline.body.steps.map((s: any) => [s.type, s.service])).toEqual([
      ['ReservationPlaced', 'reservation'],
      ['SeatsReserved', 'flight'],
      ['PaymentApproved', 'payment'],
      ['ReservationConfirmed', 'reservation'],
    ]);
    expect(timeline.body.steps.slice(1).every((s: any) => typeof s.sincePreviousMs === 'number' && s.sincePreviousMs >= 0)).toBe(true);
  });

  it('rebuilds the dashboard from the stream to the same tables', async () => {
    await eventually(
      async () => (await t.sql<{ n: string }>('dashboard', `SELECT count(*)::text AS n FROM reservation_history`))[0]!.n,
      (n) => n === '12',
    );
    const before = await snapshot();
    const rebuilt = await http(t.cluster.urls.dashboard!).post('/read-models/rebuild');
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.body.events).toBe(12 + 1); // the three sagas and the flight's registration
    expect(await snapshot()).toEqual(before);
  });
});
