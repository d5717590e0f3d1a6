// `npm run start:cluster`: every service as its own process group on PostgreSQL + NATS JetStream, on the
// seed ports. Configuration by environment:
//   PG_URL (default postgres://postgres@127.0.0.1:5432; databases airline_<service> are created),
//   DB_PREFIX (airline), NATS_URL (nats://127.0.0.1:4222), EVENTS_PREFIX (airline), HOST (127.0.0.1),
//   REPLICAS_<service> (e.g. REPLICAS_reservation=3; default 1), and what every process reads
//   (LOG_LEVEL, MAX_ATTEMPTS, HOLD_TTL_MS, …: packages/service/src/process.ts).
// Ctrl+C / SIGTERM: every replica finishes its in-flight work, then everything exits.
import { clusterServices, startCluster } from './cluster.js';

const replicas: Record<string, number> = {};
for (const s of clusterServices) {
  const raw = process.env[`REPLICAS_${s.name}`] ?? process.env[`REPLICAS_${s.name.replace(/-/g, '_')}`];
  if (raw === undefined) continue;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`REPLICAS_${s.name} must be a whole number ≥ 1, not ${JSON.stringify(raw)}`);
  replicas[s.name] = n;
}

const cluster = await startCluster({
  pgUrl: process.env.PG_URL,
  dbPrefix: process.env.DB_PREFIX,
  natsUrl: process.env.NATS_URL,
  eventsPrefix: process.env.EVENTS_PREFIX,
  host: process.env.HOST,
  replicas,
  output: 'inherit',
});

const summary = clusterServices
  .map((s) => `  ${s.name.padEnd(18)} ${cluster.urls[s.name]}  replicas ${cluster.replicaPids(s.name).length}`)
  .join('\n');
process.stderr.write(`airline cluster is up (gateway ${cluster.urls.gateway}):\n${summary}\n`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: stopping every service\n`);
    await cluster.stopAll();
    process.exit(0);
  });
}
