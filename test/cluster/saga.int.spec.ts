// The booking saga on the distributed runtime: every service its own process on PostgreSQL, events
// through NATS JetStream. The seeds' demo; replay after a consumer was down; a poison event parked as
// a dead letter and redriven with `npm run dlq` after the fix.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope } from '@airline/contracts';
import { createPgDatabase } from '@airline/database';
import { databaseUrl, eventually } from '@airline/testing';
import { upsertUsers } from '../../services/gateway/src/auth/users.js';
import { allTerminal, book, expectConsistent, registerFlight, reservations, startTestCluster, type TestCluster } from './fixture.js';
import { pasteSeedDemo, SEEDS_OUTCOME } from '../support/seed-demo.js';

const MAX_ATTEMPTS = 3;
let t: TestCluster;
const flights: number[] = [];
const booked: number[] = [];

beforeAll(async () => {
  t = await startTestCluster('saga', { env: { MAX_ATTEMPTS: String(MAX_ATTEMPTS) } });
});
afterAll(async () => {
  await t?.dispose();
});

async function dlq(...args: string[]) {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const urls = Object.entries(t.cluster.urls).map(([name, url]) => [`${name.toUpperCase().replace(/-/g, '_')}_URL`, url]);
  const env = { ...process.env, ...Object.fromEntries(urls) };
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'runtime/dlq.ts', ...args, '--json'], {
    cwd: root,
    env,
  });
  return JSON.parse(stdout);
}

describe('the booking saga in cluster mode', () => {
  it("runs the seeds' demo as written, pasted back to back: 3 of 5 seats to customer 1, customer 2 sold out, 2 seats left", async () => {
    // no pause between the requests: the booking overtakes FlightRegistered, and the reservation
    // service asks the flight service about the flight its catalog does not know yet
    const run = await pasteSeedDemo({
      flight: t.cluster.urls.flight!,
      reservation: t.cluster.urls.reservation!,
      dashboard: t.cluster.urls.dashboard!,
    });
    expect(run.flightId).toBe(1);
    expect(run).toMatchObject(SEEDS_OUTCOME);
    flights.push(1);
    booked.push(1, 2);
    const all = await allTerminal(t, booked);
    expect(all.map((r) => [r.id, r.status, r.cancelReason])).toEqual([
      [1, 'CONFIRMED', null],
      [2, 'CANCELED', 'SOLD_OUT'],
    ]);
    expect((await t.flight.get('/flights')).body).toMatchObject([{ id: 1, flightCode: 'ACE890', remainingSeatsCount: 2 }]);
    // and through the gateway, the same resources; a customer's own with a bearer token
    expect((await t.gateway.get('/flights/1')).body.remainingSeatsCount).toBe(2);
    const gatewayDb = await createPgDatabase(databaseUrl(t.cluster.databases.gateway!), { max: 1 });
    await upsertUsers(gatewayDb, [
      { username: 'seed-customer-2', password: 'correct horse battery', role: 'customer', customerId: 2 },
    ]).finally(() => gatewayDb.close());
    const login = await t.gateway.post('/auth/login', { username: 'seed-customer-2', password: 'correct horse battery' });
    expect(login.status).toBe(200);
    const mine = await t.gateway.get('/reservations/2', { authorization: `Bearer ${login.body.token}` });
    expect(mine.body).toMatchObject({ status: 'CANCELED', cancelReason: 'SOLD_OUT' });
  });

  it('answers readiness only with its database and the broker', async () => {
    for (const service of ['flight', 'reservation', 'payment']) {
      const ready = await fetch(`${t.cluster.urls[service]}/health/ready`);
      expect(await ready.json()).toMatchObject({ status: 'UP', checks: { database: 'UP', broker: 'UP' } });
    }
  });

  it('replays what a stopped consumer missed: payment down → bookings stay PENDING; payment back → every one ends', async () => {
    const flightId = await registerFlight(t, 30, 'RPLAY1');
    flights.push(flightId);
    expect(await t.cluster.stop('payment')).toBe(0); // SIGTERM: finished its work and exited cleanly
    const ids = await book(
      t,
      Array.from({ length: 20 }, () => ({ flightId })),
      10,
    );
    booked.push(...ids);
    // the saga got as far as it can without payment: every seat held, SeatsReserved waiting in the stream
    await eventually(
      () => t.flight.get(`/flights/${flightId}/seats`),
      (r) => r.body.held === 20,
    );
    await eventually(
      () => t.events.read({ types: ['SeatsReserved'] }),
      (e) => ids.every((id) => e.some((x) => x.event.correlationId === String(id))),
    );
    expect((await reservations(t, ids)).map((r) => r.status)).toEqual(ids.map(() => 'PENDING'));

    await t.cluster.start('payment');
    const final = await allTerminal(t, ids);
    expect(final.map((r) => r.status)).toEqual(ids.map(() => 'CONFIRMED'));
  });

  it('parks an event its handler cannot process after MAX_ATTEMPTS tries, and redrives it after the fix', async () => {
    // the reservation service's catalog copy knows a flight the flight service does not (yet): the
    // flight's ReservationPlaced handler fails on it, every time
    const flightId = Math.max(...(await t.flight.get<Array<{ id: number }>>('/flights')).body.map((f) => f.id)) + 1;
    await t.events.publish([
      envelope(
        {
          type: 'FlightRegistered',
          data: { flightId, flightCode: 'GHOST1', takeoffDate: '2027-05-01', cost: 100, capacity: 10, remainingSeatsCount: 10 },
        },
        { eventId: crypto.randomUUID(), occurredAt: new Date().toISOString(), correlationId: `flight-${flightId}`, causationId: null },
      ),
    ]);
    await eventually(
      () => t.sql('reservation', 'SELECT 1 FROM flight_catalog WHERE flight_id = $1', [flightId]),
      (rows) => rows.length === 1,
    );
    const [id] = await book(t, [{ flightId, seatQty: 2 }], 1);
    booked.push(id!);

    const parked = await eventually(
      () => dlq('list', '--service', 'flight'),
      (r) => r.flight.length === 1,
    );
    expect(parked.flight[0]).toMatchObject({
      consumer: 'flight',
      eventType: 'ReservationPlaced',
      attempts: MAX_ATTEMPTS,
      error: expect.stringContaining('unknown flight'),
    });
    expect(parked.flight[0].event.correlationId).toBe(String(id));
    expect((await t.reservation.get(`/reservations/${id}`)).body.status).toBe('PENDING');

    // the fix: the flight is registered; then the parked event is handed to the flight service again
    expect((await t.flight.post('/flights', { flightCode: 'GHOST1', takeoffDate: '2027-05-01', cost: 100, capacity: 10 })).body.id).toBe(
      flightId,
    );
    flights.push(flightId);
    const redriven = await dlq('redrive', '--service', 'flight', String(parked.flight[0].id));
    expect(redriven.flight).toEqual([{ id: parked.flight[0].id, eventId: parked.flight[0].eventId, outcome: 'redriven' }]);
    const [final] = await allTerminal(t, [id!]);
    expect(final).toMatchObject({ status: 'CONFIRMED' });
    expect((await dlq('list')).flight).toEqual([]);
  });

  it('leaves everything consistent: each event handled once, seats accounted for', async () => {
    await expectConsistent(t, booked, flights);
  });
});
