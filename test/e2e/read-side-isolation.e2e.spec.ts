// Failure isolation of the read side (SPEC guarantees): with mileage, notification and dashboard
// stopped, bookings still confirm (and cancel, and refund); when they start again they catch up from
// the log to the same state as if they had never stopped.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createPgliteDatabase, migrate } from '@airline/database';
import { dashboardEventTypes, dashboardService, READ_MODEL_TABLES, replay } from '@airline/dashboard';
import { eventually, http } from '@airline/testing';
import { FREE_PORTS, startEmbeddedSystem, type EmbeddedSystem, type ServiceName } from '../../runtime/system.js';

const DECLINED_CARD = '4000000000000002';
const READ_SIDE: ServiceName[] = ['mileage', 'notification', 'dashboard'];
const dataDir = mkdtempSync(join(tmpdir(), 'airline-read-side-'));
let system: EmbeddedSystem | undefined;
afterAll(async () => {
  await system?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const start = async (paused: ServiceName[] = []) => {
  system = await startEmbeddedSystem({ dataDir, ports: FREE_PORTS, busPollMs: 50, paused });
  return system;
};
const stop = async () => {
  await system!.stop();
  system = undefined;
};

type Reservation = { id: number; customerId: number; amount: number; reserveDate: string; status: string; cancelReason: string | null };

describe('the read side stopped', () => {
  it('does not stop bookings; started again, it catches up to what the bookings say', async () => {
    // a flight everyone knows about
    let s = await start();
    const flight = (await http(s.urls.flight).post('/flights', { flightCode: 'ISO1', takeoffDate: '2026-10-01', cost: 250, capacity: 8 }))
      .body;
    await eventually(
      () => s.services.reservation.db.query('SELECT 1 FROM flight_catalog WHERE flight_id = $1', [flight.id]),
      (q) => q.rowCount === 1,
    );
    await eventually(
      () => http(s.urls.dashboard).get<any[]>('/flightBoard'),
      (r) => r.body.length === 1,
    );
    await stop();

    // mileage, notification and dashboard down: their HTTP answers in this runtime, but they consume nothing
    s = await start(READ_SIDE);
    const reservation = http(s.urls.reservation);
    const placed: Reservation[] = [];
    for (const body of [
      { customerId: 41, flightId: flight.id, seatQty: 2, reserveDate: '2026-02-01' },
      { customerId: 41, flightId: flight.id, seatQty: 1, reserveDate: '2026-02-03' },
      { customerId: 42, flightId: flight.id, seatQty: 3, reserveDate: '2026-02-02' },
      { customerId: 42, flightId: flight.id, seatQty: 1, reserveDate: '2026-02-04', card: DECLINED_CARD },
      { customerId: 43, flightId: flight.id, seatQty: 9, reserveDate: '2026-02-05' }, // sold out
    ]) {
      const r = await reservation.post('/reservations', body);
      expect(r.status).toBe(201);
      placed.push(r.body);
    }
    const settled = await eventually(
      () => reservation.get<Reservation[]>(`/reservations?flightId=${flight.id}`),
      (r) => r.body.length === 5 && r.body.every((x) => x.status !== 'PENDING'),
    );
    expect(settled.body.map((r) => [r.customerId, r.status, r.cancelReason])).toEqual([
      [41, 'CONFIRMED', null],
      [41, 'CONFIRMED', null],
      [42, 'CONFIRMED', null],
      [42, 'CANCELED', 'PAYMENT_DECLINED'],
      [43, 'CANCELED', 'SOLD_OUT'],
    ]);
    // a customer cancel goes through too, refunded
    expect((await reservation.post(`/reservations/${placed[1]!.id}/cancel`)).status).toBe(200);
    await eventually(
      () => http(s.urls.payment).get<any[]>(`/payments?reservationId=${placed[1]!.id}`),
      (r) => r.body[0]?.status === 'REFUNDED',
    );
    // …and the read side saw none of it
    expect((await http(s.urls.dashboard).get<any[]>('/customerInfos')).body).toEqual([]);
    expect((await http(s.urls.mileage).get('/mileages/41')).body.balance).toBe(0);
    expect((await http(s.urls.notification).get<any[]>('/notifications')).body).toEqual([]);
    await stop();

    // back: everything it missed comes from the log
    s = await start();
    const truth = (await http(s.urls.reservation).get<Reservation[]>(`/reservations?flightId=${flight.id}`)).body;
    const expectedInfos = [41, 42, 43].map((customerId) => {
      const mine = truth.filter((r) => r.customerId === customerId);
      return {
        customerId,
        flightCount: mine.length,
        recentReserveDate: mine
          .map((r) => r.reserveDate)
          .sort()
          .at(-1),
        confirmedCount: mine.filter((r) => r.status === 'CONFIRMED').length,
        cancelledCount: mine.filter((r) => r.status === 'CANCELED').length,
      };
    });
    const infos = await eventually(
      () => http(s.urls.dashboard).get<any[]>('/customerInfos'),
      (r) => JSON.stringify(r.body) === JSON.stringify(expectedInfos),
    );
    expect(infos.body).toEqual(expectedInfos);

    // miles: 10 % of what is confirmed now (the cancelled booking gave its miles back)
    for (const customerId of [41, 42, 43]) {
      const balance = truth.filter((r) => r.customerId === customerId && r.status === 'CONFIRMED').reduce((n, r) => n + r.amount / 10, 0);
      await eventually(
        () => http(s.urls.mileage).get(`/mileages/${customerId}`),
        (r) => r.body.balance === balance,
      );
    }
    expect((await http(s.urls.mileage).get('/mileages/41')).body).toEqual({ customerId: 41, balance: 50, accrued: 75, reversed: 25 });

    // one notification per status change: placed, and the final status (plus the confirmation of the one cancelled later)
    const expectedKinds = truth
      .flatMap((r) => [
        [r.id, 'RESERVATION_PLACED'],
        ...(r.status === 'CONFIRMED' || r.cancelReason === 'CUSTOMER' ? [[r.id, 'RESERVATION_CONFIRMED']] : []),
        ...(r.status === 'CANCELED' ? [[r.id, 'RESERVATION_CANCELLED']] : []),
      ])
      .map(String)
      .sort();
    const told = await eventually(
      () => http(s.urls.notification).get<any[]>('/notifications'),
      (r) => r.body.length === expectedKinds.length,
    );
    expect(told.body.map((n) => String([n.reservationId, n.kind])).sort()).toEqual(expectedKinds);

    // the dashboard's tables are what a projection of the whole log gives (as if it never stopped)
    await eventually(
      () => http(s.urls.dashboard).get(`/flightBoard/${flight.id}`),
      (r) => r.body.remainingSeatsCount === 8 - 2 - 3,
    );
    await eventually(
      async () => [
        (await s.bus.read({ types: dashboardEventTypes, limit: 1_000_000 })).length,
        Number(
          (await s.services.dashboard.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM inbox WHERE consumer = 'dashboard'`))
            .rows[0]!.n,
        ),
      ],
      ([logged, handled]) => logged === handled,
    );
    const fresh = await createPgliteDatabase();
    try {
      await migrate(fresh, dashboardService.migrations);
      await replay(fresh, s.bus, { schema: 'public' });
      for (const t of READ_MODEL_TABLES) {
        const q = `SELECT * FROM ${t} ORDER BY 1`;
        expect((await s.services.dashboard.db.query(q)).rows, t).toEqual((await fresh.query(q)).rows);
      }
    } finally {
      await fresh.close();
    }

    // and a stopped system's dashboard can be rebuilt offline from its data directory
    const rows = Object.fromEntries(
      await Promise.all(
        READ_MODEL_TABLES.map(async (t) => [
          t,
          Number((await s.services.dashboard.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${t}`)).rows[0]!.n),
        ]),
      ),
    );
    await stop();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'runtime/rebuild.ts', 'dashboard', '--offline', '--data-dir', dataDir, '--json'],
      {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
      },
    );
    expect(JSON.parse(stdout).tables).toEqual(rows);
  });
});
