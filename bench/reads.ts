// `npm run bench:reads [-- --cluster] [--seconds 10] [--connections 32] [--rounds 2] [--booking-rate 10]`
// Searches (GET /flights, 20 flights) held against bare Fastify serving the same list (the anchor in
// ../shared/anchors), measured side by side and alternately (anchor, service, gateway, anchor, …) since
// this machine is noisy: req/s, p50 and p99, and each one's ratio to the anchor of its round. Then a
// mixed run: bookings at a fixed rate, open loop, while searches run at 100× that rate, with both
// sides' figures (POST→CONFIRMED from the saga's own ReservationConfirmed timestamps).
// The load generator is wrk when installed (Debian's package), autocannon otherwise; the gateway's rate
// limit is off.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { createPgliteDatabase } from '@airline/database';
import { createJetStreamEventBus } from '@airline/messaging';
import { deleteStream, dropDatabases, freePort, NATS_URL, PG_URL, uniqueName } from '@airline/testing/plain';
import { startCluster } from '../runtime/cluster.js';
import { launchSystem } from '../test/e2e/fixtures/launch.js';
import { latencySummary, openLoop } from './open-loop.js';

const { values: args } = parseArgs({
  options: {
    cluster: { type: 'boolean', default: false },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '2' },
    'booking-rate': { type: 'string', default: '10', description: 'bookings/s of the mixed run; searches go at 100× that' },
    'no-mixed': { type: 'boolean', default: false },
  },
});
const seconds = Number(args.seconds);
const connections = Number(args.connections);
const bookingRate = Number(args['booking-rate']);
const root = fileURLToPath(new URL('..', import.meta.url));
const anchorScript = join(root, '../shared/anchors/bare-fastify.mjs');
if (!existsSync(anchorScript)) throw new Error(`the anchor ${anchorScript} is missing: ../shared must sit beside the project`);
const useWrk = spawnSync('wrk', ['--version']).error === undefined;

interface Measured {
  'req/s': number;
  'p50 ms': number;
  'p99 ms': number;
  errors: number;
}

/** Closed-loop load on one URL for `seconds`, as fast as it answers. */
async function load(url: string, rate?: number): Promise<Measured> {
  if (useWrk && rate === undefined) {
    const { stdout } = await promisify(execFile)('wrk', ['-t2', `-c${connections}`, `-d${seconds}s`, '--latency', url]);
    const reqs = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
    const ms = (label: string) => {
      const m = new RegExp(`${label}%\\s+([\\d.]+)(us|ms|s)`).exec(stdout);
      if (!m) return NaN;
      const v = Number(m[1]);
      return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
    };
    const errors =
      Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0) + Number(/Socket errors: connect (\d+)/.exec(stdout)?.[1] ?? 0);
    return { 'req/s': Math.round(reqs), 'p50 ms': ms('50'), 'p99 ms': ms('99'), errors };
  }
  const r = await autocannon({ url, connections, duration: seconds, ...(rate ? { overallRate: rate } : {}) });
  return { 'req/s': Math.round(r.requests.average), 'p50 ms': r.latency.p50, 'p99 ms': r.latency.p99, errors: r.errors + r.non2xx };
}

async function startAnchor(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [anchorScript, String(port)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`the anchor exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

/** The system under test: its URLs, where its confirmations can be read, and how to stop it. */
async function startSystem(): Promise<{
  urls: Record<string, string>;
  confirmedAt(): Promise<Map<number, number>>;
  stop(): Promise<void>;
}> {
  if (!args.cluster) {
    const dataDir = mkdtempSync(join(tmpdir(), 'airline-reads-'));
    const { child, urls, exited } = await launchSystem({ DATA_DIR: dataDir, RATE_LIMIT: 'off' });
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      child.kill('SIGTERM');
      await exited;
    };
    return {
      urls,
      async confirmedAt() {
        await stop(); // the event log is read from its files once the system is down
        const log = await createPgliteDatabase(join(dataDir, 'event-log'));
        const rows = await log.query<{ correlation_id: string; at: string }>(
          `SELECT correlation_id, (extract(epoch from occurred_at) * 1000)::bigint::text AS at FROM event_log WHERE type = 'ReservationConfirmed'`,
        );
        await log.close();
        return new Map(rows.rows.map((r) => [Number(r.correlation_id), Number(r.at)]));
      },
      async stop() {
        await stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  const run = uniqueName('reads');
  const cluster = await startCluster({
    pgUrl: PG_URL,
    natsUrl: NATS_URL,
    dbPrefix: run,
    eventsPrefix: run,
    ports: 'free',
    output: 'ignore',
    env: { LOG_LEVEL: 'warn', RATE_LIMIT: 'off' },
  });
  return {
    urls: cluster.urls,
    async confirmedAt() {
      const events = await createJetStreamEventBus({ servers: NATS_URL, prefix: run });
      const confirmed = await events.read({ types: ['ReservationConfirmed'] });
      await events.close();
      return new Map(confirmed.map(({ event }) => [Number(event.correlationId), Date.parse(event.occurredAt)]));
    },
    async stop() {
      await cluster.stopAll();
      await deleteStream(run, NATS_URL);
      await dropDatabases(run);
    },
  };
}

const ratio = (x: Measured, anchor: Measured) => Number((x['req/s'] / anchor['req/s']).toFixed(2));

const anchor = await startAnchor();
const system = await startSystem();
try {
  const flight = new Pool(system.urls.flight!);
  const registered: number[] = [];
  for (let i = 0; i < 20; i++) {
    const res = await flight.request({
      method: 'POST',
      path: '/flights',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ flightCode: `KE${100 + i}`, takeoffDate: '2027-01-10', cost: 200000, capacity: 100_000 }),
    });
    registered.push(((await res.body.json()) as { id: number }).id);
  }
  await flight.close();
  console.log(
    `${args.cluster ? 'cluster' : 'embedded'}: GET /flights (20 flights), ${connections} connections, ${seconds} s each, with ${useWrk ? 'wrk' : 'autocannon'}; alternating anchor, service, gateway`,
  );

  const rounds = [];
  for (let round = 1; round <= Number(args.rounds); round++) {
    const bare = await load(`${anchor.url}/flights`);
    const service = await load(`${system.urls.flight}/flights`);
    const gateway = await load(`${system.urls.gateway}/flights`);
    const row = {
      round,
      'bare Fastify (anchor)': bare,
      'flight service': { ...service, 'vs anchor': ratio(service, bare) },
      gateway: { ...gateway, 'vs anchor': ratio(gateway, bare) },
    };
    console.log(JSON.stringify(row));
    rounds.push(row);
  }

  let mixed: Record<string, unknown> | undefined;
  if (!args['no-mixed']) {
    const searchRate = bookingRate * 100;
    console.log(`mixed: bookings at ${bookingRate}/s (open loop) while searches go through the gateway at ${searchRate}/s, ${seconds} s`);
    const reservation = new Pool(system.urls.reservation!, { connections: 16 });
    const bookings = Math.round(bookingRate * seconds);
    const [searches, booked] = await Promise.all([
      load(`${system.urls.gateway}/flights`, searchRate),
      openLoop(bookings, bookingRate, async (i) => {
        const res = await reservation.request({
          method: 'POST',
          path: '/reservations',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ customerId: 1 + i, flightId: registered[i % registered.length], seatQty: 1 }),
        });
        const body = (await res.body.json()) as { id: number };
        if (res.statusCode !== 201) throw new Error(`POST /reservations → ${res.statusCode}`);
        return body.id;
      }),
    ]);
    // every saga of the run ends before its confirmations are read
    for (;;) {
      const res = await reservation.request({ method: 'GET', path: '/reservations?status=PENDING&limit=1' });
      if (((await res.body.json()) as unknown[]).length === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await reservation.close();
    const confirmedAt = await system.confirmedAt();
    const toConfirm = [...booked.scheduledAt].flatMap(([id, at]) => (confirmedAt.has(id) ? [confirmedAt.get(id)! - at] : []));
    mixed = {
      searches: { 'target req/s': searchRate, ...searches },
      bookings: {
        'target/s': bookingRate,
        sent: bookings,
        confirmed: toConfirm.length,
        'POST errors': booked.errors.length,
        'POST → CONFIRMED ms': latencySummary(toConfirm),
      },
    };
    console.log(JSON.stringify({ mixed }));
  }
  console.log(
    JSON.stringify({ runtime: args.cluster ? 'cluster' : 'embedded', tool: useWrk ? 'wrk' : 'autocannon', rounds, mixed }, null, 2),
  );
} finally {
  anchor.child.kill();
  await system.stop();
}
