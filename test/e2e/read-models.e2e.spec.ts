// The read side of the system on the embedded runtime, over HTTP: seed 000's CQRS demo, the flight
// board and reservation history, the saga timeline, notifications (stored, live over SSE, webhook),
// and the rebuild of the dashboard from the event log converging to the live read models.
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteDatabase, migrate, type Database } from '@airline/database';
import { dashboardEventTypes, dashboardService, READ_MODEL_TABLES, replay } from '@airline/dashboard';
import { eventually, http } from '@airline/testing';
import { FREE_PORTS, startEmbeddedSystem, type EmbeddedSystem } from '../../runtime/system.js';

const DECLINED_CARD = '4000000000000002';
const users = [
  { username: 'staff', password: 'staff-password-1', role: 'admin' as const, customerId: null },
  { username: 'cust1', password: 'cust1-password-1', role: 'customer' as const, customerId: 1 },
];

/** A webhook receiver that refuses the first `failFirst` deliveries (503), then accepts. */
function webhookReceiver(failFirst: number) {
  const received: Array<{ headers: IncomingMessage['headers']; body: any }> = [];
  let calls = 0;
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      calls++;
      if (calls <= failFirst) {
        res.writeHead(503).end();
        return;
      }
      received.push({ headers: req.headers, body: JSON.parse(text) });
      res.writeHead(204).end();
    });
  });
  return {
    received,
    calls: () => calls,
    url: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    listen: () => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Every row of every read-model table, in key order. */
async function readModels(db: Database) {
  const order: Record<(typeof READ_MODEL_TABLES)[number], string> = {
    dashboard_reservations: 'reservation_id',
    customer_infos: 'customer_id',
    flight_board: 'flight_id',
    flight_board_seats: 'reservation_id',
    reservation_history: 'event_id',
  };
  const tables: Record<string, unknown[]> = {};
  for (const t of READ_MODEL_TABLES) tables[t] = (await db.query(`SELECT * FROM ${t} ORDER BY ${order[t]}`)).rows;
  return tables;
}

let system: EmbeddedSystem;
const hook = webhookReceiver(2);

beforeAll(async () => {
  await hook.listen();
  system = await startEmbeddedSystem({
    ports: FREE_PORTS,
    busPollMs: 50,
    auth: { users },
    notification: { webhook: { url: hook.url(), backoffBaseMs: 20, idleMs: 50 }, feedPollMs: 100 },
  });
});
afterAll(async () => {
  await system?.stop();
  await hook.close();
});

const flightInCatalog = (flightId: number) =>
  eventually(
    () => system.services.reservation.db.query('SELECT 1 FROM flight_catalog WHERE flight_id = $1', [flightId]),
    (q) => q.rowCount === 1,
  );

/** Nothing new in the log for a while, and the dashboard has handled every event of it that it reads. */
async function settledAndCaughtUp() {
  let previous = -1;
  await eventually(
    async () => {
      const logged = (await system.bus.read({ types: dashboardEventTypes, limit: 1_000_000 })).length;
      const handled = Number(
        (await system.services.dashboard.db.query<{ n: string }>(`SELECT count(*)::text AS n FROM inbox WHERE consumer = 'dashboard'`))
          .rows[0]!.n,
      );
      const still = logged === previous;
      previous = logged;
      return { logged, handled, still };
    },
    (c) => c.still && c.logged === c.handled,
    { everyMs: 500 },
  );
}

describe('seed 000: the CQRS demo', () => {
  it('three bookings give customerInfos with flightCount and recentReserveDate, on the dashboard port as the seed calls it', async () => {
    const flight = http(system.urls.flight);
    const reservation = http(system.urls.reservation);
    const dashboard = http(system.urls.dashboard);
    // exactly the seed's requests (httpie sends key=value as strings)
    expect(
      (await flight.post('/flights', { remainingSeatsCount: '5', flightCode: 'ACE890', takeoffDate: '2025-12-25', cost: '200000' })).status,
    ).toBe(201);
    await flightInCatalog(1); // the reservation service knows flights from FlightRegistered
    expect(
      (
        await reservation.post('/reservations', {
          customerId: '1',
          flightId: '1',
          seatQty: '3',
          reserveDate: '2024-11-11',
          status: 'SUCCEED',
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await reservation.post('/reservations', {
          customerId: '2',
          flightId: '1',
          seatQty: '1',
          reserveDate: '2024-11-23',
          status: 'SUCCEED',
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await reservation.post('/reservations', {
          customerId: '2',
          flightId: '1',
          seatQty: '1',
          reserveDate: '2024-12-25',
          status: 'SUCCEED',
        })
      ).status,
    ).toBe(201);
    await eventually(
      () => reservation.get<any[]>('/reservations'),
      (r) => r.body.length === 3 && r.body.every((x) => x.status === 'CONFIRMED'),
    );

    const infos = await eventually(
      () => dashboard.get<any[]>('/customerInfos'),
      (r) => r.body.length === 2 && r.body[1]?.confirmedCount === 2,
    );
    expect(infos.body).toEqual([
      { customerId: 1, flightCount: 1, recentReserveDate: '2024-11-11', confirmedCount: 1, cancelledCount: 0 },
      { customerId: 2, flightCount: 2, recentReserveDate: '2024-12-25', confirmedCount: 2, cancelledCount: 0 },
    ]);
  });

  it('the flight board shows the seats left and the latest activity (seed 001)', async () => {
    const board = await eventually(
      () => http(system.urls.dashboard).get<any[]>('/flightBoard'),
      (r) => r.body[0]?.remainingSeatsCount === 0,
    );
    expect(board.body).toEqual([
      {
        flightId: 1,
        flightCode: 'ACE890',
        takeoffDate: '2025-12-25',
        capacity: 5,
        remainingSeatsCount: 0,
        seatsTaken: 5,
        soldOutCount: 0,
        status: 'SCHEDULED',
        lastActivity: {
          type: 'SeatsReserved',
          at: expect.any(String),
          reservationId: 3,
          summary: '1 seat held for reservation 3 (0 left)',
        },
      },
    ]);
    expect(board.body[0].remainingSeatsCount).toBe((await http(system.urls.flight).get('/flights/1')).body.remainingSeatsCount);
  });

  it('the reservation history lists every event of a customer’s bookings, in order (seeds 002/003)', async () => {
    const history = await eventually(
      () => http(system.urls.dashboard).get<any[]>('/reservationHistory?customerId=2'),
      (r) => r.body.length === 8,
    );
    const byReservation = (id: number) => history.body.filter((h) => h.reservationId === id).map((h) => h.type);
    const saga = ['ReservationPlaced', 'SeatsReserved', 'PaymentApproved', 'ReservationConfirmed'];
    expect(byReservation(2)).toEqual(saga);
    expect(byReservation(3)).toEqual(saga);
    expect(history.body.every((h) => h.customerId === 2)).toBe(true);
    expect(history.body[0]).toMatchObject({ reservationId: 2, summary: expect.stringContaining('placed: 1 seat on flight 1') });
  });
});

describe('mileage and notifications of the demo', () => {
  it('each confirmed booking earned 10 % of its fare in miles', async () => {
    const mileage = http(system.urls.mileage);
    const account = await eventually(
      () => mileage.get('/mileages/2'),
      (r) => r.body.balance === 40_000,
    );
    expect(account.body).toEqual({ customerId: 2, balance: 40_000, accrued: 40_000, reversed: 0 });
    // the ledger lists entries as they were booked: reservations 2 and 3 are paid concurrently, in either order
    const ledger = (await mileage.get<any[]>('/mileages/2/ledger')).body.map((e) => [e.reservationId, e.kind, e.miles, e.fare]);
    expect(ledger.sort((a, b) => a[0] - b[0])).toEqual([
      [2, 'ACCRUAL', 20_000, 200_000],
      [3, 'ACCRUAL', 20_000, 200_000],
    ]);
    expect((await mileage.get('/mileages/99')).body).toEqual({ customerId: 99, balance: 0, accrued: 0, reversed: 0 });
    expect((await mileage.get('/mileages/abc')).status).toBe(400);
  });

  it('one notification per status change, in plain words, each POSTed to the webhook despite two refusals', async () => {
    const notifications = http(system.urls.notification);
    const mine = await eventually(
      () => notifications.get<any[]>('/notifications?customerId=1'),
      (r) => r.body.length === 2,
    );
    expect(mine.body.map((n) => [n.reservationId, n.kind, n.message])).toEqual([
      [1, 'RESERVATION_PLACED', expect.stringContaining('We received your booking')],
      // money and dates written as on the pages (issue 14), and who flies
      [
        1,
        'RESERVATION_CONFIRMED',
        `Your booking ${mine.body[0].bookingReference} for 3 seats on flight ACE890 on 25 Dec 2025 is confirmed. You paid ₩600,000. Passengers: 3 to be named.`,
      ],
    ]);
    const all = await eventually(
      () => notifications.get<any[]>('/notifications'),
      (r) => r.body.length === 6 && r.body.every((n) => n.webhook.status === 'DELIVERED'),
    );
    expect(hook.received.map((r) => r.body.eventId).sort()).toEqual(all.body.map((n) => n.eventId).sort()); // each delivered once
    expect(hook.calls()).toBe(6 + 2);
    expect(all.body.reduce((sum, n) => sum + n.webhook.attempts, 0)).toBe(6 + 2);
    expect(hook.received[0]!.headers['idempotency-key']).toBe(hook.received[0]!.body.eventId);
  });
});

describe('notifications live', () => {
  it('pushes a new notification to the customer’s Server-Sent Events stream, and none of another customer’s', async () => {
    const controller = new AbortController();
    const res = await fetch(`${system.urls.notification}/notifications/stream?customerId=7`, { signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const flight = await http(system.urls.flight).post('/flights', {
      flightCode: 'SSE1',
      takeoffDate: '2026-03-01',
      cost: 100,
      capacity: 3,
    });
    await flightInCatalog(flight.body.id);
    expect(
      (await http(system.urls.reservation).post('/reservations', { customerId: 8, flightId: flight.body.id, seatQty: 1 })).status,
    ).toBe(201);
    const mine = await http(system.urls.reservation).post('/reservations', { customerId: 7, flightId: flight.body.id, seatQty: 9 }); // more than there are: SOLD_OUT
    const deadline = Date.now() + 20_000;
    while (!text.includes('RESERVATION_CANCELLED') && Date.now() < deadline) text += decoder.decode((await reader.read()).value);
    controller.abort();
    const events = text
      .split('\n\n')
      .filter((block) => block.includes('event: notification'))
      .map((block) =>
        JSON.parse(
          block
            .split('\n')
            .find((l) => l.startsWith('data: '))!
            .slice(6),
        ),
      );
    expect(events.map((e) => [e.customerId, e.reservationId, e.kind])).toEqual([
      [7, mine.body.id, 'RESERVATION_PLACED'],
      [7, mine.body.id, 'RESERVATION_CANCELLED'],
    ]);
    expect(events[1].message).toContain('was cancelled because there were not enough seats left on the flight. You will not be charged.');
  });

  it('resumes after Last-Event-ID with what the client missed', async () => {
    const all = (await http(system.urls.notification).get<any[]>('/notifications?customerId=2')).body;
    const controller = new AbortController();
    const res = await fetch(`${system.urls.notification}/notifications/stream?customerId=2`, {
      headers: { 'last-event-id': String(all[1].id) },
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    let text = '';
    while ((text.match(/event: notification/g) ?? []).length < all.length - 2)
      text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids).toEqual(all.slice(2).map((n) => n.id));
  });

  it('refuses a bad customerId with a problem naming it', async () => {
    const r = await http(system.urls.notification).get('/notifications/stream?customerId=-1');
    expect(r.status).toBe(400);
    expect(r.body.field).toBe('customerId');
  });
});

describe('through the gateway', () => {
  it('serves the dashboards, mileage, notifications, history and the saga timeline', async () => {
    const gateway = http(system.urls.gateway);
    const login = await gateway.post('/auth/login', { username: 'staff', password: 'staff-password-1' });
    expect(login.status).toBe(200);
    const staff = http(system.urls.gateway, { authorization: `Bearer ${login.body.token}` });
    expect((await staff.get<any[]>('/customerInfos')).body.slice(0, 2).map((c) => c.flightCount)).toEqual([1, 2]);
    expect((await staff.get<any[]>('/flightBoard')).body[0].flightCode).toBe('ACE890');
    expect((await staff.get<any[]>('/reservationHistory?customerId=1')).body).toHaveLength(4);
    expect((await staff.get('/mileages/1')).body.balance).toBe(60_000);
    expect((await staff.get<any[]>('/notifications?customerId=1')).body).toHaveLength(2);

    const timeline = await staff.get('/reservations/1/timeline');
    expect(timeline.status).toBe(200);
    expect(timeline.body).toMatchObject({ reservationId: 1, status: 'CONFIRMED', cancelReason: null });
    expect(timeline.body.steps.map((s: any) => [s.type, s.service])).toEqual([
      ['ReservationPlaced', 'reservation'],
      ['SeatsReserved', 'flight'],
      ['PaymentApproved', 'payment'],
      ['ReservationConfirmed', 'reservation'],
    ]);
    const steps = timeline.body.steps as Array<{
      seq: number;
      occurredAt: string;
      sinceStartMs: number;
      sincePreviousMs: number | null;
      eventId: string;
      causationId: string;
    }>;
    expect(steps.map((s) => s.seq)).toEqual([...steps.map((s) => s.seq)].sort((a, b) => a - b));
    expect(steps[0]!.sincePreviousMs).toBeNull();
    for (let i = 1; i < steps.length; i++) {
      expect(steps[i]!.sincePreviousMs).toBe(Date.parse(steps[i]!.occurredAt) - Date.parse(steps[i - 1]!.occurredAt));
      expect(steps[i]!.sinceStartMs).toBe(Date.parse(steps[i]!.occurredAt) - Date.parse(steps[0]!.occurredAt));
    }
    expect(timeline.body.totalMs).toBe(steps[steps.length - 1]!.sinceStartMs);
    expect(steps[1]!.causationId).toBe(steps[0]!.eventId); // the flight held seats because of the placement
    expect((await staff.get('/reservations/999999/timeline')).status).toBe(404);

    // a customer sees their own mileage, not another's
    const cust = await gateway.post('/auth/login', { username: 'cust1', password: 'cust1-password-1' });
    const customer = http(system.urls.gateway, { authorization: `Bearer ${cust.body.token}` });
    expect((await customer.get('/mileages/1')).body.balance).toBe(60_000);
    expect((await customer.get('/mileages/2')).status).toBe(404);

    // and follows their notifications live through the gateway (an EventSource asks for text/event-stream)
    const controller = new AbortController();
    const stream = await fetch(`${system.urls.gateway}/notifications/stream`, {
      headers: { authorization: `Bearer ${cust.body.token}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const booked = await customer.post('/reservations', { customerId: 1, flightId: 1, seatQty: 1 }); // flight 1 is full: sold out
    expect(booked.status).toBe(201);
    const reader = stream.body!.getReader();
    let text = '';
    while (!text.includes('RESERVATION_CANCELLED')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const kinds = [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!)).map((n) => [n.customerId, n.reservationId, n.kind]);
    expect(kinds).toEqual([
      [1, booked.body.id, 'RESERVATION_PLACED'],
      [1, booked.body.id, 'RESERVATION_CANCELLED'],
    ]);
  });
});

describe('rebuilding the dashboard from the event log', () => {
  it('gives the same read models as the live projection, whole tables compared', async () => {
    // a mix of every outcome: confirmed, sold out, declined, customer cancel, flight cancel
    const flight = http(system.urls.flight);
    const reservation = http(system.urls.reservation);
    const a = (await flight.post('/flights', { flightCode: 'RB1', takeoffDate: '2026-05-01', cost: 300, capacity: 5 })).body;
    const b = (await flight.post('/flights', { flightCode: 'RB2', takeoffDate: '2026-05-02', cost: 500, capacity: 10 })).body;
    await flightInCatalog(a.id);
    await flightInCatalog(b.id);
    expect((await reservation.post('/reservations', { customerId: 20, flightId: b.id, seatQty: 1 })).status).toBe(201);
    const placed = [];
    for (const body of [
      { customerId: 20, flightId: a.id, seatQty: 2, reserveDate: '2026-01-05' },
      { customerId: 21, flightId: a.id, seatQty: 3, reserveDate: '2026-01-06' },
      { customerId: 24, flightId: a.id, seatQty: 1 }, // sold out
      { customerId: 21, flightId: b.id, seatQty: 1, reserveDate: '2026-01-01', card: DECLINED_CARD },
      { customerId: 22, flightId: b.id, seatQty: 2 }, // cancelled by the customer
      { customerId: 23, flightId: b.id, seatQty: 3 }, // cancelled with the flight
    ]) {
      placed.push(await reservation.post('/reservations', body));
    }
    expect(placed.map((p) => p.status)).toEqual([201, 201, 201, 201, 201, 201]);
    await eventually(
      () => reservation.get<any[]>('/reservations?customerId=22'),
      (r) => r.body[0]?.status === 'CONFIRMED',
    );
    expect((await reservation.post(`/reservations/${placed[4]!.body.id}/cancel`)).status).toBe(200);
    await eventually(
      () => reservation.get<any[]>('/reservations?customerId=23'),
      (r) => r.body[0]?.status === 'CONFIRMED',
    );
    expect((await flight.post(`/flights/${b.id}/cancel`)).status).toBe(200);
    // the system settles: every saga ended and every refund made
    await eventually(
      () => reservation.get<any[]>('/reservations'),
      (r) => r.body.every((x) => x.status !== 'PENDING' && (x.flightId !== b.id || x.status === 'CANCELED')),
    );
    await eventually(
      () => http(system.urls.payment).get<any[]>('/payments'),
      (r) => r.body.every((p) => ['APPROVED', 'DECLINED', 'REFUNDED', 'VOIDED'].includes(p.status)),
    );
    await eventually(
      () => flight.get(`/flights/${b.id}/seats`),
      (r) => r.body.remainingSeatsCount === 10,
    );
    await settledAndCaughtUp();

    const live = await readModels(system.services.dashboard.db);
    expect(live.customer_infos).toContainEqual({
      customer_id: 21,
      flight_count: 2,
      recent_reserve_date: '2026-01-06',
      confirmed_count: 1,
      cancelled_count: 1,
    });
    expect(live.customer_infos).toContainEqual({
      customer_id: 20,
      flight_count: 2,
      recent_reserve_date: expect.any(String),
      confirmed_count: 1,
      cancelled_count: 1,
    });

    // 1. replayed into a fresh database
    const fresh = await createPgliteDatabase();
    try {
      await migrate(fresh, dashboardService.migrations);
      const replayed = await replay(fresh, system.bus, { schema: 'public', pageSize: 7 });
      expect(replayed.events).toBe((await system.bus.read({ types: dashboardEventTypes, limit: 1_000_000 })).length);
      expect(await readModels(fresh)).toEqual(live);
    } finally {
      await fresh.close();
    }

    // 2. rebuilt in place by `npm run rebuild -- dashboard` (it asks the running dashboard)
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'runtime/rebuild.ts', 'dashboard', '--url', system.urls.dashboard, '--json'],
      {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
      },
    );
    const rebuilt = JSON.parse(stdout);
    expect(rebuilt.events).toBe((await system.bus.read({ types: dashboardEventTypes, limit: 1_000_000 })).length);
    expect(rebuilt.tables).toEqual(Object.fromEntries(Object.entries(live).map(([t, rows]) => [t, rows.length])));
    expect(await readModels(system.services.dashboard.db)).toEqual(live);
  });
});
