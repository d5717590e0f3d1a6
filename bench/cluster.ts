// `npm run bench -- --cluster [--bookings 3000] [--concurrency 64] [--flights 20] [--replicas flight=1,reservation=1]
//                             [--flood] [--ceiling-seconds 15] [--ceiling-batch 32] [--no-ceiling]
//                             [--rate 25%,50%,75% [--duration 10]]`
// The distributed runtime under load: every saga service its own process on the machine's PostgreSQL
// and NATS JetStream (databases and stream of this run, removed at the end). Books seats over HTTP on
// the reservation service's port — each client waits for its booking's outcome before the next
// (closed loop), or with --flood as fast as they are accepted — and prints confirmed bookings/s and
// the time from POST to CONFIRMED (p50/p99, to the saga's own ReservationConfirmed timestamp), spread
// over many flights and on one hot flight. Then, in the same run, the ceiling of PostgreSQL itself: pgbench running the SQL of a
// saga (bench/saga-ceiling.ts) with as many clients, one event per transaction and batched as the
// services batch under load, and the ratio of the two. With --rate: after the spread scenario (the
// maximum), bookings at fixed arrival rates, open loop (bench/open-loop.ts), POST→CONFIRMED
// p50/p99/p99.9 from each booking's scheduled send time.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { Pool } from 'undici';
import { createPgDatabase, migrate } from '@airline/database';
import { connect } from 'nats';
import type { IntegrationEvent } from '@airline/contracts';
import { messagingMigration } from '@airline/outbox';
import { idempotencyMigration } from '@airline/http';
import { flightService } from '@airline/flight';
import { reservationService } from '@airline/reservation';
import { paymentService } from '@airline/payment';
import { databaseUrl, deleteStream, dropDatabases, NATS_URL, PG_URL, queryDatabase, uniqueName } from '../packages/testing/src/infra.js';
import { startCluster, type RunningCluster } from '../runtime/cluster.js';
import { latencySummary, openLoop, parseRates, percentile as pct } from './open-loop.js';
import { sagaCeilingScript, sagaCeilingSetup } from './saga-ceiling.js';

const SAGA_SERVICES = ['payment-processor', 'flight', 'reservation', 'payment'];

interface Scenario {
  name: string;
  bookings: number;
  confirmed: number;
  'confirmed bookings/s': number;
  'POST/s': number;
  'POST → CONFIRMED ms p50/p99': [number, number];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runClusterBench(argv: string[]): Promise<void> {
  const { values: args } = parseArgs({
    args: argv,
    options: {
      cluster: { type: 'boolean' },
      bookings: { type: 'string', default: '3000' },
      concurrency: { type: 'string', default: '64' },
      flights: { type: 'string', default: '20' },
      replicas: { type: 'string', default: '' },
      'ceiling-seconds': { type: 'string', default: '15' },
      'ceiling-batch': { type: 'string', default: '32' },
      'no-ceiling': { type: 'boolean', default: false },
      flood: { type: 'boolean', default: false },
      rate: { type: 'string', default: '' },
      duration: { type: 'string', default: '10' },
    },
    strict: false,
  });
  const bookings = Number(args.bookings);
  const concurrency = Number(args.concurrency);
  const flights = Number(args.flights);
  const replicas = Object.fromEntries(
    String(args.replicas)
      .split(',')
      .filter(Boolean)
      .map((kv) => kv.split('=') as [string, string])
      .map(([k, v]) => [k, Number(v)]),
  );
  const run = uniqueName('bench');
  const logDir = mkdtempSync(join(tmpdir(), 'airline-cluster-bench-'));
  console.log(
    `cluster: ${SAGA_SERVICES.map((s) => `${s}×${replicas[s] ?? 1}`).join(', ')} on PostgreSQL + NATS JetStream (logs in ${logDir})`,
  );

  const results: Scenario[] = [];
  const openLoopResults: object[] = [];
  let cluster: RunningCluster | undefined;
  try {
    cluster = await startCluster({
      only: SAGA_SERVICES,
      replicas,
      pgUrl: PG_URL,
      natsUrl: NATS_URL,
      dbPrefix: run,
      eventsPrefix: run,
      ports: 'free',
      output: { dir: logDir },
      env: { LOG_LEVEL: 'warn' },
    });
    const load = createLoad(cluster, run, concurrency, Boolean(args.flood));
    await load.scenario('warm-up', Math.min(500, bookings), 4);
    results.push(await load.scenario(`spread over ${flights} flights`, bookings, flights));
    results.push(await load.scenario('one hot flight', bookings, 1));
    const maxRate = results[0]!['confirmed bookings/s'];
    for (const r of parseRates(String(args.rate))) {
      const rate = 'rate' in r ? r.rate : Math.max(1, Math.round(r.share * maxRate));
      const label = 'share' in r ? `${Math.round(r.share * 100)}% of the maximum (${maxRate}/s)` : `${rate}/s`;
      openLoopResults.push(await load.atRate(`open loop at ${rate}/s, ${label}`, rate, Number(args.duration), flights));
    }
    await load.close();
  } finally {
    await cluster?.stopAll();
    await deleteStream(run).catch((err) => console.error('could not delete the stream', err));
    await dropDatabases(run);
  }
  rmSync(logDir, { recursive: true, force: true });

  const batch = Number(args['ceiling-batch']);
  const ceiling = args['no-ceiling'] ? undefined : await pgCeiling(run, concurrency, flights, Number(args['ceiling-seconds']), batch);
  // and the anchor itself, as the issue measured it: ../shared/anchors/saga-ceiling.sh <flights> <clients> <seconds>
  const anchor = args['no-ceiling'] ? undefined : await anchorCeiling(flights, concurrency, Number(args['ceiling-seconds']));
  const report = results.map((r, i) => {
    const which = i === 0 ? 'spread' : 'hot';
    const one = ceiling?.[1]?.[which];
    const many = ceiling?.[batch]?.[which];
    const ratio = (c: number) => Number((r['confirmed bookings/s'] / c).toFixed(2));
    return {
      ...r,
      ...(one ? { 'PostgreSQL ceiling sagas/s, 1 event/transaction': one, 'ratio to it': ratio(one) } : {}),
      ...(many && batch !== 1 ? { [`PostgreSQL ceiling sagas/s, ${batch} events/transaction`]: many, 'ratio to that': ratio(many) } : {}),
      ...(anchor && i === 0
        ? { [`anchor saga-ceiling.sh ${flights} ${concurrency} tps`]: anchor, 'ratio to the anchor': ratio(anchor) }
        : {}),
    };
  });
  console.log(JSON.stringify([...report, ...openLoopResults], null, 2));
}

/**
 * The load: `concurrency` clients book one seat each at a time. Closed loop (default): a client waits
 * for its booking's outcome (ReservationConfirmed/ReservationCancelled, watched on NATS, no polling)
 * before booking again, so the system runs at the rate it sustains and the times are not queueing in
 * front of it. Flood: clients POST as fast as the reservation service accepts, then the backlog drains.
 */
function createLoad(cluster: RunningCluster, run: string, concurrency: number, flood: boolean) {
  const pool = new Pool(cluster.urls.reservation!, { connections: concurrency, pipelining: 1 });
  const admin = new Pool(cluster.urls.flight!, { connections: 4 });
  let flightSeq = 0;
  const ended = new Map<number, { type: string; at: number }>();
  const waiting = new Map<number, () => void>();
  const nc = connect({ servers: NATS_URL });
  const watching = nc.then(async (c) => {
    for (const type of ['ReservationConfirmed', 'ReservationCancelled']) {
      c.subscribe(`${run}.events.${type}.*`, {
        callback: (err, m) => {
          if (err) throw err;
          const e = m.json<IntegrationEvent>();
          const id = Number(e.correlationId);
          ended.set(id, { type, at: Date.parse(e.occurredAt) });
          waiting.get(id)?.();
        },
      });
    }
    await c.flush();
  });
  const outcome = (id: number) => (ended.has(id) ? Promise.resolve() : new Promise<void>((resolve) => waiting.set(id, resolve)));

  async function post(p: Pool, path: string, body: unknown): Promise<any> {
    const res = await p.request({ method: 'POST', path, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await res.body.json()) as any;
    if (res.statusCode !== 201) throw new Error(`${path} → ${res.statusCode} ${JSON.stringify(json)}`);
    return json;
  }

  return {
    async scenario(name: string, bookings: number, flights: number): Promise<Scenario> {
      await watching;
      const flightIds: number[] = [];
      for (let i = 0; i < flights; i++) {
        const f = await post(admin, '/flights', {
          flightCode: `BN${++flightSeq}`,
          takeoffDate: '2027-01-01',
          cost: 100,
          capacity: Math.ceil(bookings / flights),
        });
        flightIds.push(f.id);
      }
      // the reservation service learns flights from FlightRegistered: wait until it knows them all
      while (
        Number(
          (
            await queryDatabase<{ n: string }>(
              cluster.databases.reservation!,
              'SELECT count(*) AS n FROM flight_catalog WHERE flight_id = ANY($1)',
              [flightIds],
            )
          )[0]!.n,
        ) < flights
      ) {
        await sleep(20);
      }
      const postedAt = new Map<number, number>();
      let next = 0;
      const t0 = Date.now();
      let postedMs = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < bookings) {
            const i = next++;
            const started = Date.now();
            const r = await post(pool, '/reservations', { customerId: 1 + (i % 5000), flightId: flightIds[i % flights], seatQty: 1 });
            postedAt.set(r.id, started);
            if (!flood) await outcome(r.id);
          }
          postedMs = Math.max(postedMs, Date.now() - t0);
        }),
      );
      await Promise.all([...postedAt.keys()].map(outcome));
      waiting.clear();

      const toConfirm: number[] = [];
      let last = t0;
      for (const [id, start] of postedAt) {
        const end = ended.get(id)!;
        last = Math.max(last, end.at);
        if (end.type === 'ReservationConfirmed') toConfirm.push(end.at - start);
      }
      const result: Scenario = {
        name,
        bookings,
        confirmed: toConfirm.length,
        'confirmed bookings/s': Math.round(toConfirm.length / ((last - t0) / 1000)),
        'POST/s': Math.round(bookings / (postedMs / 1000)),
        'POST → CONFIRMED ms p50/p99': [pct(toConfirm, 50), pct(toConfirm, 99)],
      };
      if (name !== 'warm-up')
        console.log(
          `${name}: ${result.confirmed}/${bookings} confirmed, ${result['confirmed bookings/s']}/s, p50/p99 ${result['POST → CONFIRMED ms p50/p99'].join('/')} ms`,
        );
      return result;
    },
    /** Bookings at `rate` per second for `seconds`, open loop, over `flights` new flights. */
    async atRate(name: string, rate: number, seconds: number, flights: number) {
      await watching;
      const count = Math.max(1, Math.round(rate * seconds));
      const flightIds: number[] = [];
      for (let i = 0; i < flights; i++)
        flightIds.push(
          (
            await post(admin, '/flights', {
              flightCode: `OL${++flightSeq}`,
              takeoffDate: '2027-01-01',
              cost: 100,
              capacity: Math.ceil(count / flights),
            })
          ).id,
        );
      const sent = await openLoop(
        count,
        rate,
        async (i) =>
          (await post(pool, '/reservations', { customerId: 1 + (i % 5000), flightId: flightIds[i % flights], seatQty: 1 })).id as number,
      );
      await Promise.all([...sent.scheduledAt.keys()].map(outcome));
      waiting.clear();
      const toConfirm = [...sent.scheduledAt].flatMap(([id, at]) =>
        ended.get(id)?.type === 'ReservationConfirmed' ? [ended.get(id)!.at - at] : [],
      );
      const result = {
        name,
        bookings: count,
        confirmed: toConfirm.length,
        'POST errors': sent.errors.length,
        'POST → CONFIRMED ms': latencySummary(toConfirm),
      };
      console.log(`${name}: ${JSON.stringify(result['POST → CONFIRMED ms'])}`);
      return result;
    },
    async close() {
      await pool.close();
      await admin.close();
      await (await nc).close();
    },
  };
}

/**
 * PostgreSQL alone running the saga's SQL (bench/saga-ceiling.ts), spread and on one hot flight, one
 * event per transaction and `batch` events per transaction.
 */
/** `../shared/anchors/saga-ceiling.sh` (beside the repository), its tps; undefined when it is not there. */
async function anchorCeiling(flights: number, clients: number, seconds: number): Promise<number | undefined> {
  const script = fileURLToPath(new URL('../../shared/anchors/saga-ceiling.sh', import.meta.url));
  if (!existsSync(script)) return undefined;
  const { stdout } = await promisify(execFile)('bash', [script, String(flights), String(clients), String(seconds)]);
  const tps = /tps = ([0-9.]+)/.exec(stdout)?.[1];
  console.error(`anchor ${script.split('/').slice(-3).join('/')} ${flights} ${clients} ${seconds}: ${stdout.trim()}`);
  return tps ? Math.round(Number(tps)) : undefined;
}

export async function pgCeiling(run: string, clients: number, flights: number, seconds: number, batch: number) {
  const name = `${run}_ceiling`;
  const dir = mkdtempSync(join(tmpdir(), 'airline-ceiling-'));
  const batches = [...new Set([1, batch])];
  const db = await createPgDatabase(databaseUrl(name), { max: 2 });
  try {
    await migrate(db, [
      messagingMigration,
      idempotencyMigration,
      // three services' tables in one database: their migrations keep apart by service (each has a 100_scrub_card_numbers.sql)
      ...[flightService, reservationService, paymentService].flatMap((service) =>
        service.migrations.map((m) => ({ ...m, name: `${service.name}/${m.name}` })),
      ),
    ]);
    await db.query(
      `INSERT INTO flights (flight_code, takeoff_date, cost, capacity, remaining_seats_count)
       SELECT 'BN' || g, '2027-01-01', 100, 100000000, 100000000 FROM generate_series(1, $1) g`,
      [flights],
    );
    await db.query(
      `INSERT INTO flight_catalog (flight_id, flight_code, takeoff_date, cost) SELECT id, flight_code, takeoff_date, cost FROM flights`,
    );
    for (const [i, b] of batches.entries()) await db.exec(sagaCeilingSetup(b, 1_000_000_000 + i * 400_000_000));
  } finally {
    await db.close();
  }
  const url = new URL(PG_URL);
  const pgbench = async (script: string, hot: 0 | 1, b: number) => {
    const { stdout } = await promisify(execFile)(
      'pgbench',
      [
        '-n',
        '-h',
        url.hostname,
        '-p',
        url.port || '5432',
        '-U',
        decodeURIComponent(url.username || 'postgres'),
        '-c',
        String(clients),
        '-j',
        '2',
        '--max-tries',
        '20',
        '-T',
        String(seconds),
        '-D',
        `flights=${flights}`,
        '-D',
        `hot=${hot}`,
        '-f',
        script,
        name,
      ],
      { env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) } },
    );
    const tps = /tps = ([\d.]+)/.exec(stdout);
    if (!tps) throw new Error(`pgbench printed no tps:\n${stdout}`);
    return Math.round(Number(tps[1]) * b); // one pgbench transaction = b sagas
  };
  try {
    const out: Record<number, { spread: number; hot: number }> = {};
    for (const b of batches) {
      const script = join(dir, `saga-${b}.sql`);
      writeFileSync(script, sagaCeilingScript(b));
      out[b] = { spread: await pgbench(script, 0, b), hot: await pgbench(script, 1, b) };
      console.log(
        `PostgreSQL ceiling (pgbench, ${clients} clients, ${seconds} s, ${b} event(s) per transaction): spread ${out[b]!.spread} sagas/s, hot flight ${out[b]!.hot} sagas/s`,
      );
    }
    return out;
  } catch (err) {
    console.error(`PostgreSQL ceiling not measured: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await dropDatabases(name);
  }
}
