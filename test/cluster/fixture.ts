// A whole distributed system for an integration spec: every service its own process group on the
// machine's PostgreSQL and a NATS JetStream, with databases and a stream prefix of its own, on free
// ports; and the checks every cluster spec makes at the end of its load.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { connect } from 'nats';
import type { IntegrationEvent } from '@airline/contracts';
import { createJetStreamEventBus, type JetStreamEventBus } from '@airline/messaging';
import { deleteStream, dropDatabases, eventually, http, NATS_URL, PG_URL, queryDatabase, uniqueName } from '@airline/testing';
import { startCluster, type ClusterOptions, type RunningCluster } from '../../runtime/cluster.js';

export interface TestCluster {
  run: string;
  natsUrl: string;
  cluster: RunningCluster;
  gateway: ReturnType<typeof http>;
  flight: ReturnType<typeof http>;
  reservation: ReturnType<typeof http>;
  /** Reads the stream (never consumes). */
  events: JetStreamEventBus;
  /** A query on a service's own database (what the service itself would see). */
  sql<R extends Record<string, unknown> = Record<string, unknown>>(service: string, text: string, params?: unknown[]): Promise<R[]>;
  /** The last lines of every process log (attached to a failure). */
  logs(): string;
  dispose(): Promise<void>;
}

export async function startTestCluster(
  label: string,
  options: Omit<ClusterOptions, 'dbPrefix' | 'eventsPrefix' | 'ports' | 'output'> = {},
): Promise<TestCluster> {
  const run = uniqueName(label);
  const logDir = mkdtempSync(join(tmpdir(), `airline-${label}-`));
  const natsUrl = options.natsUrl ?? NATS_URL;
  let cluster: RunningCluster | undefined;
  let events: JetStreamEventBus | undefined;
  const cleanUp = async () => {
    await cluster?.stopAll();
    await events?.close();
    await deleteStream(run, natsUrl).catch(() => {}); // a private server may be gone already
    await dropDatabases(run);
    rmSync(logDir, { recursive: true, force: true });
  };
  try {
    cluster = await startCluster({
      ...options,
      pgUrl: PG_URL,
      natsUrl,
      dbPrefix: run,
      eventsPrefix: run,
      ports: 'free',
      output: { dir: logDir },
      env: { LOG_LEVEL: 'warn', ...options.env },
    });
    events = await createJetStreamEventBus({ servers: natsUrl, prefix: run });
  } catch (err) {
    const logs = readLogs(logDir);
    await cleanUp();
    throw new Error(`${String(err)}\n${logs}`);
  }
  const c = cluster;
  return {
    run,
    natsUrl,
    cluster: c,
    gateway: http(c.urls.gateway!),
    flight: http(c.urls.flight!),
    reservation: http(c.urls.reservation!),
    events,
    sql: (service, text, params) => queryDatabase(c.databases[service]!, text, params),
    logs: () => readLogs(logDir),
    dispose: cleanUp,
  };
}

function readLogs(dir: string) {
  return readdirSync(dir)
    .map((f) => `--- ${f}\n${readFileSync(join(dir, f), 'utf8').split('\n').slice(-40).join('\n')}`)
    .join('\n');
}

export async function registerFlight(t: TestCluster, capacity: number, code = 'IT100') {
  const r = await t.flight.post('/flights', { flightCode: code, takeoffDate: '2027-03-01', cost: 100, capacity });
  expect(r.status).toBe(201);
  // booking needs the reservation service's copy of the catalog, which FlightRegistered builds
  await eventually(
    () => t.sql('reservation', 'SELECT 1 FROM flight_catalog WHERE flight_id = $1', [r.body.id]),
    (rows) => rows.length === 1,
  );
  return r.body.id as number;
}

/** POSTs bookings with `concurrency` clients at a time; returns the reservation ids. */
export async function book(
  t: TestCluster,
  bookings: Array<{ flightId: number; seatQty?: number; card?: string }>,
  concurrency: number,
  onProgress?: (done: number) => void,
) {
  const ids: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bookings.length) {
        const b = bookings[next++]!;
        const r = await t.reservation.post('/reservations', { customerId: 1 + (next % 97), seatQty: 1, ...b });
        if (r.status !== 201) throw new Error(`booking answered ${r.status} ${JSON.stringify(r.body)}`);
        ids.push(r.body.id);
        onProgress?.(ids.length);
      }
    }),
  );
  return ids;
}

type Reservation = { id: number; flightId: number; seatQty: number; status: string; cancelReason: string | null };

export async function reservations(t: TestCluster, ids: number[]): Promise<Reservation[]> {
  const all: Reservation[] = [];
  for (let after = 0; ; ) {
    const page = (await t.reservation.get<Reservation[]>(`/reservations?limit=1000&after=${after}`)).body;
    all.push(...page);
    if (page.length < 1000) break;
    after = page[page.length - 1]!.id;
  }
  const wanted = new Set(ids);
  return all.filter((r) => wanted.has(r.id));
}

/** Waits until every one of these sagas has ended (CONFIRMED or CANCELED). */
export async function allTerminal(t: TestCluster, ids: number[], timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rs = await reservations(t, ids);
    const pending = rs.filter((r) => r.status === 'PENDING').map((r) => r.id);
    if (rs.length === ids.length && pending.length === 0) return rs;
    if (Date.now() > deadline) {
      throw new Error(
        `sagas not ended after ${timeoutMs} ms: ${ids.length - rs.length} missing, ${pending.length} PENDING (${pending.slice(0, 10).join(', ')}${pending.length > 10 ? ', …' : ''})`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Which event types each consuming service has a durable consumer for (`<run>-<consumer>-<type>`). */
async function consumersOf(t: TestCluster): Promise<Map<string, Set<string>>> {
  const nc = await connect({ servers: t.natsUrl });
  try {
    const jsm = await nc.jetstreamManager();
    const out = new Map<string, Set<string>>();
    for await (const c of jsm.consumers.list(t.events.stream)) {
      if (!c.config.durable_name?.startsWith(`${t.run}-`)) continue;
      const rest = c.config.durable_name.slice(t.run.length + 1);
      const cut = rest.lastIndexOf('-');
      const consumer = rest.slice(0, cut);
      out.set(consumer, (out.get(consumer) ?? new Set()).add(rest.slice(cut + 1)));
    }
    return out;
  } finally {
    await nc.close();
  }
}

/**
 * The guarantees after a load: every saga ended; every event was handled by each consumer of its type
 * (its inbox holds exactly the events of its types) and no effect happened twice (a saga has at most
 * one event of each type); nothing parked; no overbooking (capacity = remaining + held + sold, sold =
 * the confirmed seats, nothing left held).
 */
export async function expectConsistent(t: TestCluster, ids: number[], flightIds: number[]) {
  const final = await allTerminal(t, ids);
  const consumers = await consumersOf(t);
  expect([...consumers.keys()].sort()).toEqual(expect.arrayContaining(['flight', 'payment', 'reservation']));
  // the last events of a saga (ReservationConfirmed → flight) may still be on their way: wait for quiet
  const log = await eventually(
    async () => {
      const events = (await t.events.read({ limit: 1_000_000 })).map((x) => x.event);
      const behind: string[] = [];
      for (const [service, types] of consumers) {
        const expected = events
          .filter((e) => types.has(e.type))
          .map((e) => e.eventId)
          .sort();
        const inbox = (await t.sql<{ event_id: string }>(service, 'SELECT event_id FROM inbox')).map((r) => r.event_id).sort();
        if (JSON.stringify(inbox) !== JSON.stringify(expected)) behind.push(`${service}: inbox ${inbox.length}, events ${expected.length}`);
      }
      return { events, behind };
    },
    (x) => x.behind.length === 0,
    { timeoutMs: 60_000, everyMs: 250 },
  ).then((x) => x.events);

  const bySaga = new Map<string, IntegrationEvent[]>();
  for (const e of log) bySaga.set(e.correlationId, [...(bySaga.get(e.correlationId) ?? []), e]);
  const doubled: string[] = [];
  for (const r of final) {
    const types = (bySaga.get(String(r.id)) ?? []).map((e) => e.type);
    if (new Set(types).size !== types.length) doubled.push(`${r.id}: ${types.join(',')}`);
    const expected =
      r.status === 'CONFIRMED'
        ? ['ReservationPlaced', 'SeatsReserved', 'PaymentApproved', 'ReservationConfirmed']
        : ['ReservationPlaced', 'ReservationCancelled'];
    expect(types, `saga ${r.id} (${r.status} ${r.cancelReason})`).toEqual(expect.arrayContaining(expected));
  }
  expect(doubled, 'sagas with an effect that happened twice').toEqual([]);
  for (const service of consumers.keys()) {
    expect(await t.sql(service, 'SELECT event_id FROM dead_letters WHERE redriven_at IS NULL'), `${service} dead letters`).toEqual([]);
  }

  for (const flightId of flightIds) {
    const seats = (await t.flight.get(`/flights/${flightId}/seats`)).body as {
      capacity: number;
      remainingSeatsCount: number;
      held: number;
      sold: number;
    };
    const confirmed = final.filter((r) => r.flightId === flightId && r.status === 'CONFIRMED').reduce((n, r) => n + r.seatQty, 0);
    expect(seats.capacity, `flight ${flightId}: capacity = remaining + held + sold`).toBe(
      seats.remainingSeatsCount + seats.held + seats.sold,
    );
    expect({ flightId, sold: seats.sold, held: seats.held }).toEqual({ flightId, sold: confirmed, held: 0 });
  }
  return final;
}
