// `npm run bench [-- --bookings 6000 --concurrency 64 --flights 20 --warmup 1000]`
// Books seats over HTTP at high concurrency against the embedded runtime (run in its own process, so
// the load generator does not share its event loop) and prints confirmed bookings/s and the time from
// POST to CONFIRMED (p50/p99), measured from the saga's own event timestamps.
// `-- --rate 120` or `-- --rate 25%,50%,75%` (of the maximum, measured first in the same run): bookings
// at a fixed arrival rate, open loop (bench/open-loop.ts), for `--duration` seconds each, with
// POST→CONFIRMED p50/p99/p99.9 counted from each booking's scheduled send time.
// The system process's resident memory is sampled every `--rss-every` seconds and printed as a series.
// `npm run bench -- --cluster` runs the distributed benchmark instead (bench/cluster.ts).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { createPgliteDatabase } from '@airline/database';
import { launchSystem } from '../test/e2e/fixtures/launch.js';
import { latencySummary, openLoop, parseRates, percentile as pct } from './open-loop.js';

const { values: args } = parseArgs({
  options: {
    cluster: { type: 'boolean', default: false },
    bookings: { type: 'string', default: '6000' },
    concurrency: { type: 'string', default: '64' },
    flights: { type: 'string', default: '20' },
    seats: { type: 'string', default: '1' },
    warmup: { type: 'string', default: '1000', description: 'bookings made (and ended) before the measured run, on flights of their own' },
    target: { type: 'string', default: 'reservation', description: 'reservation (service port) or gateway' },
    rate: { type: 'string', default: '', description: 'open loop: bookings/s, or shares of the measured maximum (25%,50%,75%)' },
    duration: { type: 'string', default: '10', description: 'seconds of each open-loop rate' },
    'rss-every': { type: 'string', default: '10', description: 'seconds between resident-memory samples of the system process' },
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
const rates = parseRates(String(args.rate));
/** The booking saga's steps when it confirms, in order. */
const SAGA = ['ReservationPlaced', 'SeatsReserved', 'PaymentApproved', 'ReservationConfirmed'] as const;
const duration = Number(args.duration);

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
  const login = await signIn.request({
    method: 'POST',
    path: '/auth/login',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(staff),
  });
  auth.authorization = `Bearer ${((await login.body.json()) as { token: string }).token}`;
  await signIn.close();
}
const adminPool = new Pool(urls.flight!, { connections: 4 });

async function post(p: Pool, path: string, body: unknown): Promise<any> {
  const res = await p.request({
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify(body),
  });
  const json = (await res.body.json()) as any;
  if (res.statusCode !== 201) throw new Error(`${path} → ${res.statusCode} ${JSON.stringify(json)}`);
  return json;
}
async function get(p: Pool, path: string) {
  const res = await p.request({ method: 'GET', path, headers: auth });
  return (await res.body.json()) as any;
}

async function registerFlights(prefix: string, count: number) {
  const perFlight = Math.max(1, Math.ceil((count * seatQty) / flights));
  const ids: number[] = [];
  for (let i = 0; i < flights; i++)
    ids.push(
      (await post(adminPool, '/flights', { flightCode: `${prefix}${i}`, takeoffDate: '2027-01-01', cost: 100, capacity: perFlight })).id,
    );
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
// Resident memory of the system process (Linux /proc), sampled over the whole run.
const rssMb = () => {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    return kb ? Math.round(Number(kb[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
};
const runStarted = Date.now();
const rssSeries: Array<{ s: number; MB: number }> = [{ s: 0, MB: rssMb() }];
const rssTimer = setInterval(
  () => rssSeries.push({ s: Math.round((Date.now() - runStarted) / 1000), MB: rssMb() }),
  Number(args['rss-every']) * 1000,
);

// CPU time of the system process (Linux /proc) and of this load generator
const systemCpuMs = () => {
  try {
    const f = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, clock ticks
  } catch {
    return NaN;
  }
};

/** A measured stretch of load: when each of its bookings was sent (or scheduled), keyed by reservation id. */
interface Phase {
  name: string;
  bookings: number;
  sentAt: Map<number, number>;
  t0: number;
  extra: Record<string, unknown>;
}
const phases: Phase[] = [];

// The maximum: clients book as fast as they are answered (closed loop).
const flightIds = await registerFlights('BN', bookings);
console.log(`booking ${bookings} × ${seatQty} seat(s) over ${flights} flights, ${concurrency} concurrent clients → ${String(args.target)}`);
const cpu0 = { system: systemCpuMs(), load: process.cpuUsage() };
const t0 = Date.now();
const { postedAt, postLatency } = await book(bookings, flightIds);
const postedMs = Date.now() - t0;
await untilEverySagaEnded();
const endMs = Date.now() - t0;
const systemCpu = systemCpuMs() - cpu0.system;
const loadCpu = process.cpuUsage(cpu0.load);
phases.push({
  name: 'closed loop (the maximum)',
  bookings,
  sentAt: postedAt,
  t0,
  extra: {
    'POST/s': Math.round(bookings / (postedMs / 1000)),
    'POST ms p50/p99': [pct(postLatency, 50), pct(postLatency, 99)],
    'all sagas ended after s': endMs / 1000,
    'system process CPU ms per booking': Number((systemCpu / bookings).toFixed(2)),
    'load generator CPU ms per booking': Number(((loadCpu.user + loadCpu.system) / 1000 / bookings).toFixed(2)),
  },
});

/** Confirmed bookings of a phase and the time from each one's send to its ReservationConfirmed. */
function confirmations(phase: Phase, confirmedAt: Map<number, number>) {
  const toConfirm: number[] = [];
  let last = phase.t0;
  for (const [id, sent] of phase.sentAt) {
    const at = confirmedAt.get(id);
    if (at === undefined) continue;
    toConfirm.push(at - sent);
    last = Math.max(last, at);
  }
  return { toConfirm, perSecond: Math.round(toConfirm.length / ((last - phase.t0) / 1000)) };
}

// Open loop at fixed rates: what a customer waits at a given load, queueing included.
if (rates.length > 0) {
  // the maximum: bookings over the time until every one of them had ended (their confirmations are
  // read from the event log only after the run; the two differ by the few cancelled ones)
  const maxRate = Math.round(bookings / (endMs / 1000));
  for (const r of rates) {
    const rate = 'rate' in r ? r.rate : Math.max(1, Math.round(r.share * maxRate));
    const count = Math.max(1, Math.round(rate * duration));
    const ids = await registerFlights(`OL${phases.length}`, count);
    const label = 'share' in r ? `${Math.round(r.share * 100)}% of the maximum (${maxRate}/s)` : `${rate}/s`;
    console.log(`open loop: ${count} bookings at ${rate}/s (${label}) for ${duration} s`);
    const t = Date.now();
    const sent = await openLoop(
      count,
      rate,
      async (i) => (await post(pool, '/reservations', { customerId: 1 + (i % 5000), flightId: ids[i % flights], seatQty })).id as number,
    );
    await untilEverySagaEnded();
    phases.push({
      name: `open loop at ${rate}/s, ${label}`,
      bookings: count,
      sentAt: sent.scheduledAt,
      t0: t,
      extra: { 'target bookings/s': rate, 'POST errors': sent.errors.length, 'load generator behind schedule ms': sent.lagMs },
    });
  }
}
clearInterval(rssTimer);
rssSeries.push({ s: Math.round((Date.now() - runStarted) / 1000), MB: rssMb() });
child.kill('SIGTERM');
await exited;

const log = await createPgliteDatabase(join(dataDir, 'event-log'));
// the saga's steps as its timeline shows them (GET /reservations/{id}/timeline reads these rows)
const rows = await log.query<{ correlation_id: string; type: (typeof SAGA)[number]; at: string }>(
  `SELECT correlation_id, type, (extract(epoch from occurred_at) * 1000000)::bigint::text AS at FROM event_log WHERE type = ANY($1::text[])`,
  [SAGA],
);
await log.close();
rmSync(dataDir, { recursive: true, force: true });
/** reservation id → when each step of its saga happened (ms epoch, µs precision) */
const steps = new Map<number, Partial<Record<(typeof SAGA)[number], number>>>();
for (const r of rows.rows) {
  const id = Number(r.correlation_id);
  steps.set(id, { ...steps.get(id), [r.type]: Number(r.at) / 1000 });
}
const confirmedAt = new Map(
  [...steps].filter(([, s]) => s.ReservationConfirmed !== undefined).map(([id, s]) => [id, s.ReservationConfirmed!]),
);

/**
 * Median wait of each hop of the phase's confirmed sagas: from the scheduled send to ReservationPlaced
 * (the POST, group commit included), then from each event to the next (each hop: the producer's commit,
 * its outbox relay, the event log, the consumer's wake-up and transaction; before PaymentApproved also
 * the payment worker and the processor call).
 */
function hops(phase: Phase) {
  const waits: Record<string, number[]> = {};
  for (const [id, sent] of phase.sentAt) {
    const s = steps.get(id);
    if (!s || SAGA.some((t) => s[t] === undefined)) continue;
    const at = [sent, ...SAGA.map((t) => s[t]!)];
    for (let i = 1; i < at.length; i++) {
      const hop = i === 1 ? `send → ${SAGA[0]}` : `${SAGA[i - 2]} → ${SAGA[i - 1]}`;
      waits[hop] ??= [];
      waits[hop].push(at[i]! - at[i - 1]!);
    }
  }
  return Object.fromEntries(
    Object.entries(waits).map(([hop, xs]) => [hop, `p50 ${pct(xs, 50).toFixed(1)} / p99 ${pct(xs, 99).toFixed(1)}`]),
  );
}
const report = phases.map((phase) => {
  const { toConfirm, perSecond } = confirmations(phase, confirmedAt);
  return {
    phase: phase.name,
    warmup,
    bookings: phase.bookings,
    confirmed: toConfirm.length,
    'confirmed bookings/s': perSecond,
    'POST → CONFIRMED ms': latencySummary(toConfirm),
    ...(phase.name.startsWith('open loop') ? { 'per hop ms (from the saga timeline)': hops(phase) } : {}),
    ...phase.extra,
  };
});
console.log(
  JSON.stringify({ phases: report, 'system process RSS MB (seconds: MB)': rssSeries.map((x) => `${x.s}: ${x.MB}`).join(', ') }, null, 2),
);
await pool.close();
await adminPool.close();
