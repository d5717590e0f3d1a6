// `npm run bench [-- --bookings 6000 --concurrency 64 --flights 20 --warmup 1000]`
// Books seats over HTTP at high concurrency against the embedded runtime (run in its own process, so
// the load generator does not share its event loop) and prints confirmed bookings/s and the time from
// POST to CONFIRMED (p50/p99), measured from the saga's own event timestamps.
// `npm run bench -- --cluster` runs the distributed benchmark instead (bench/cluster.ts).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { createPgliteDatabase } from '@airline/database';
import { launchSystem } from '../test/e2e/fixtures/launch.js';

const { values: args } = parseArgs({
  options: {
    cluster: { type: 'boolean', default: false },
    bookings: { type: 'string', default: '6000' },
    concurrency: { type: 'string', default: '64' },
    flights: { type: 'string', default: '20' },
    seats: { type: 'string', default: '1' },
    warmup: { type: 'string', default: '1000', description: 'bookings made (and ended) before the measured run, on flights of their own' },
    target: { type: 'string', default: 'reservation', description: 'reservation (service port) or gateway' },
  },
  strict: false,
});

if (args.cluster) {
  const cluster = (await import(new URL('./cluster.ts', import.meta.url).href)) as { runClusterBench(argv: string[]): Promise<void> };
  await cluster.runClusterBench(process.argv.slice(2));
  process.exit(0);
}

const bookings = Number(args.bookings);
const concurrency = Number(args.concurrency);
const flights = Number(args.flights);
const seatQty = Number(args.seats);
const warmup = Number(args.warmup);

const dataDir = mkdtempSync(join(tmpdir(), 'airline-bench-'));
// through the gateway: a staff user (books for any customer) with a bearer token, rate limiting off
const viaGateway = String(args.target) === 'gateway';
const staff = { username: 'bench-staff', password: randomUUID(), role: 'admin', customerId: null };
const { child, urls, exited } = await launchSystem(
  { DATA_DIR: dataDir, ...(viaGateway ? { GATEWAY_USERS: JSON.stringify([staff]), RATE_LIMIT: 'off' } : {}) },
  process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean),
);
const base = viaGateway ? urls.gateway! : urls.reservation!;
const pool = new Pool(base, { connections: concurrency, pipelining: 1 });
const auth: Record<string, string> = {};
if (viaGateway) {
  const signIn = new Pool(base);
  const login = await signIn.request({ method: 'POST', path: '/auth/login', headers: { 'content-type': 'application/json' }, body: JSON.stringify(staff) });
  auth.authorization = `Bearer ${((await login.body.json()) as { token: string }).token}`;
  await signIn.close();
}
const adminPool = new Pool(urls.flight!, { connections: 4 });

async function post(p: Pool, path: string, body: unknown): Promise<any> {
  const res = await p.request({ method: 'POST', path, headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(body) });
  const json = (await res.body.json()) as any;
  // 422 unknown flight: the reservation service's catalog copy has not caught up with FlightRegistered yet
  if (res.statusCode === 422 && json.field === 'flightId') {
    await new Promise((r) => setTimeout(r, 50));
    return post(p, path, body);
  }
  if (res.statusCode !== 201) throw new Error(`${path} → ${res.statusCode} ${JSON.stringify(json)}`);
  return json;
}
async function get(p: Pool, path: string) {
  const res = await p.request({ method: 'GET', path, headers: auth });
  return (await res.body.json()) as any;
}

async function registerFlights(prefix: string, count: number) {
  const perFlight = Math.ceil((count * seatQty) / flights);
  const ids: number[] = [];
  for (let i = 0; i < flights; i++) ids.push((await post(adminPool, '/flights', { flightCode: `${prefix}${i}`, takeoffDate: '2027-01-01', cost: 100, capacity: perFlight })).id);
  return ids;
}

/** `count` bookings from `concurrency` clients as fast as they are answered: when each was sent, and how long its POST took. */
async function book(count: number, flightIds: number[]) {
  const postedAt = new Map<number, number>();
  const postLatency: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const started = Date.now();
        const r = await post(pool, '/reservations', { customerId: 1 + (i % 5000), flightId: flightIds[i % flights], seatQty });
        postedAt.set(r.id, started);
        postLatency.push(Date.now() - started);
      }
    }),
  );
  return { postedAt, postLatency };
}

async function untilEverySagaEnded() {
  while ((await get(pool, '/reservations?status=PENDING&limit=1')).length > 0) await new Promise((r) => setTimeout(r, 200));
}

// A warm-up first, as for any benchmark of a JIT-compiled runtime: a fresh process compiles its hot code
// (JavaScript and PostgreSQL's WebAssembly, per thread) during its first thousand or so bookings.
if (warmup > 0) {
  console.log(`warm-up: ${warmup} bookings (not measured)`);
  await book(warmup, await registerFlights('WU', warmup));
  await untilEverySagaEnded();
}
const flightIds = await registerFlights('BN', bookings);

console.log(`booking ${bookings} × ${seatQty} seat(s) over ${flights} flights, ${concurrency} concurrent clients → ${String(args.target)}`);
// CPU time of the system process (Linux /proc) and of this load generator, over the booking run
const systemCpuMs = () => {
  try {
    const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, clock ticks
  } catch {
    return NaN;
  }
};
const cpu0 = { system: systemCpuMs(), load: process.cpuUsage() };
const t0 = Date.now();
const { postedAt, postLatency } = await book(bookings, flightIds);
const postedMs = Date.now() - t0;

await untilEverySagaEnded();
const endMs = Date.now() - t0;
const systemCpu = systemCpuMs() - cpu0.system;
const loadCpu = process.cpuUsage(cpu0.load);
child.kill('SIGTERM');
await exited;

const log = await createPgliteDatabase(join(dataDir, 'event-log'));
const rows = await log.query<{ correlation_id: string; at: string }>(
  `SELECT correlation_id, (extract(epoch from occurred_at) * 1000)::bigint::text AS at FROM event_log WHERE type = 'ReservationConfirmed'`,
);
await log.close();
rmSync(dataDir, { recursive: true, force: true });
let confirmed = 0;
const toConfirm: number[] = [];
let lastConfirm = 0;
for (const r of rows.rows) {
  const start = postedAt.get(Number(r.correlation_id));
  if (start === undefined) continue;
  confirmed++;
  toConfirm.push(Number(r.at) - start);
  lastConfirm = Math.max(lastConfirm, Number(r.at));
}
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const confirmSpan = (lastConfirm - t0) / 1000;
console.log(
  JSON.stringify(
    {
      warmup,
      bookings,
      confirmed,
      'confirmed bookings/s': Math.round(confirmed / confirmSpan),
      'POST/s': Math.round(bookings / (postedMs / 1000)),
      'POST ms p50/p99': [pct(postLatency, 50), pct(postLatency, 99)],
      'POST → CONFIRMED ms p50/p99': [pct(toConfirm, 50), pct(toConfirm, 99)],
      'all sagas ended after s': endMs / 1000,
      'system process CPU ms per booking': Number((systemCpu / bookings).toFixed(2)),
      'load generator CPU ms per booking': Number(((loadCpu.user + loadCpu.system) / 1000 / bookings).toFixed(2)),
    },
    null,
    2,
  ),
);
await pool.close();
await adminPool.close();
