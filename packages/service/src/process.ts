// The distributed runtime's process: one service per process, PostgreSQL and NATS JetStream chosen by
// configuration. A service's main.ts is a few lines: it names its definition and reads its own config.
// Replicas: on Kubernetes a pod runs one; locally runtime/replicas.ts forks several sharing one port.
//
// Environment:
//   DATABASE_URL   the service's own database (created when missing)        required
//   NATS_URL       NATS server(s), comma separated                           nats://127.0.0.1:4222
//   EVENTS_PREFIX  stream/subject/consumer prefix                            airline
//   PORT, HOST     where it listens                                          the service's seed port, 127.0.0.1
//   MAX_ATTEMPTS   failed deliveries before an event is parked as a dead letter   5
//   PG_POOL_MAX    database connections of one replica                       10
//   ACK_WAIT_MS    an event unacknowledged this long goes to another replica  30000
//   MIGRATIONS     apply: apply pending migrations on start; verify: only check they were applied (by
//                  the migrations Job; the service's role then needs no right to change the schema)  apply
//   EVENTS_MAX_AGE_MS  how long the stream keeps events (0 = forever)       0
//   EVENTS_MAX_BYTES   most bytes the stream keeps, oldest dropped past it (-1 = no limit)  6442450944 (6 GiB)
//   SHUTDOWN_TIMEOUT_MS  SIGTERM gives up (exit 1) after this long            25000
//   DRAIN_GRACE_MS after SIGTERM, how long requests are still answered (each with Connection: close, so
//                  callers reconnect to another replica) before idle connections are closed      1000
//   LOG_LEVEL      pino level                                                info
//   LOG_FORMAT     json, or pretty (for people)                              pretty on a terminal, else json
//   OTEL_EXPORTER_OTLP_ENDPOINT  traces go there (OTLP over HTTP); unset: no tracing, at no cost
import cluster from 'node:cluster';
import type { Logger } from 'pino';
import { createLogger, logFormat, startTracing, stopTracing } from '@airline/telemetry';
import { createPgDatabase, type Database } from '@airline/database';
import { createJetStreamEventBus, DEFAULT_STREAM_MAX_BYTES, type EventLogReader, type JetStreamEventBus } from '@airline/messaging';
import type { HttpApp } from '@airline/http';
import { startService, type RunningService, type ServiceDefinition } from './index.js';
import { enableProcessMetrics, streamMetrics } from './pipeline-metrics.js';

export interface ProcessDefaults {
  /** The port when PORT is not set (the seed port of the service). */
  port: number;
}

type Env = Record<string, string | undefined>;

const int = (env: Env, name: string, fallback: number, { min = 0 } = {}) => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`${name} must be a whole number${min < 0 ? ` (${min} or more)` : ''}, not ${JSON.stringify(raw)}`);
  return n;
};

function migrationsMode(env: Env): 'apply' | 'verify' {
  const mode = env.MIGRATIONS ?? 'apply';
  if (mode !== 'apply' && mode !== 'verify') throw new Error(`MIGRATIONS must be apply or verify, not ${JSON.stringify(mode)}`);
  return mode;
}

/** The process's logger (its lines name the service once, the pid and the replica) and its tracing. */
async function logger(service: string, env: Env): Promise<Logger> {
  const replica = cluster.isWorker ? Number(env.REPLICA_INDEX ?? cluster.worker?.id) : undefined;
  const log = createLogger({
    level: env.LOG_LEVEL ?? 'info',
    format: logFormat(env),
    base: { service, pid: process.pid, ...(replica !== undefined ? { replica } : {}) },
  });
  if (await startTracing({ env }))
    log.info({ endpoint: env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? env.OTEL_EXPORTER_OTLP_ENDPOINT }, 'tracing: spans exported over OTLP');
  return log;
}

/** What a service's configuration may need from the process: the event log (saga timeline, read models). */
export interface ProcessContext {
  eventLog: EventLogReader;
  env: Env;
}

/**
 * Runs a service as a process of the distributed runtime: pg database, JetStream bus, HTTP, relay,
 * consumers and workers; readiness checks the database and the broker. SIGTERM (or SIGINT, or the
 * parent going away): stop taking events and requests, finish what is in flight, drain the outbox,
 * close, exit 0.
 */
export async function runServiceProcess<C>(
  def: ServiceDefinition<C>,
  config: C | ((ctx: ProcessContext) => C),
  defaults: ProcessDefaults,
  env: Env = process.env,
): Promise<void> {
  const log = await logger(def.name, env);
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) throw new Error(`${def.name}: DATABASE_URL is not set (postgres://user@host:5432/${def.name})`);

  let db: Database | undefined;
  let bus: JetStreamEventBus | undefined;
  let service: RunningService | undefined;
  const shutdown = gracefulShutdown(log, int(env, 'SHUTDOWN_TIMEOUT_MS', 25_000), async () => {
    await bus?.stopConsuming(); // in-flight batches commit and are acknowledged; buffered events go back
    await service?.stop(); // workers, HTTP (in-flight requests finish), outbox drained to the broker
    await bus?.close();
    await db?.close();
    await stopTracing(); // the last spans are sent
  });
  try {
    db = await createPgDatabase(databaseUrl, {
      max: int(env, 'PG_POOL_MAX', 10),
      applicationName: `${def.name}-${process.pid}`,
      onError: (err) => log.warn({ err }, 'idle database connection failed; the pool replaces it'),
    });
    bus = await createJetStreamEventBus({
      servers: env.NATS_URL ?? 'nats://127.0.0.1:4222',
      prefix: env.EVENTS_PREFIX ?? 'airline',
      connectionName: `${def.name}-${process.pid}`,
      ackWaitMs: int(env, 'ACK_WAIT_MS', 30_000),
      maxAgeMs: int(env, 'EVENTS_MAX_AGE_MS', 0),
      maxBytes: int(env, 'EVENTS_MAX_BYTES', DEFAULT_STREAM_MAX_BYTES, { min: -1 }),
      onError: (err, context) => log.warn({ err }, context),
      onStatus: (s) => {
        if (s.type === 'disconnect' || s.type === 'reconnect' || s.type === 'error') log.warn({ nats: s }, `broker ${s.type}`);
      },
    });
    const broker = bus;
    const resolved = typeof config === 'function' ? (config as (ctx: ProcessContext) => C)({ eventLog: bus, env }) : config;
    service = await startService(def, resolved, {
      db,
      bus,
      log,
      port: int(env, 'PORT', defaults.port),
      host: env.HOST ?? '127.0.0.1',
      maxAttempts: int(env, 'MAX_ATTEMPTS', 5),
      readiness: { broker: () => broker.ping() },
      processMetrics: true, // one service per process: the process metrics are this service's
      migrations: migrationsMode(env),
    });
    service.app.drain.graceMs = int(env, 'DRAIN_GRACE_MS', 1000);
    streamMetrics(service.app.metrics, broker, log);
  } catch (err) {
    log.error({ err }, `${def.name} failed to start`);
    await shutdown('startup failure', 1);
  }
}

/** Runs an HTTP-only process (gateway, processor sandbox) with the same replicas and SIGTERM handling. */
export async function runHttpProcess(
  name: string,
  build: (ctx: { log: Logger }) => HttpApp | Promise<HttpApp>,
  defaults: ProcessDefaults,
  env: Env = process.env,
): Promise<void> {
  const log = await logger(name, env);
  let app: HttpApp | undefined;
  const shutdown = gracefulShutdown(log, int(env, 'SHUTDOWN_TIMEOUT_MS', 25_000), async () => {
    await app?.close();
    await stopTracing();
  });
  try {
    app = await build({ log });
    app.drain.graceMs = int(env, 'DRAIN_GRACE_MS', 1000);
    enableProcessMetrics(app.metrics);
    await app.listen({ port: int(env, 'PORT', defaults.port), host: env.HOST ?? '127.0.0.1' });
    log.info({ address: app.server.address() }, `${name} started`);
  } catch (err) {
    log.error({ err }, `${name} failed to start`);
    await shutdown('startup failure', 1);
  }
}

function gracefulShutdown(log: Logger, timeoutMs: number, close: () => Promise<void>) {
  let stopping: Promise<void> | undefined;
  const shutdown = (why: string, code = 0) =>
    (stopping ??= (async () => {
      log.info(`${why}: finishing in-flight work`);
      setTimeout(() => {
        log.error(`shutdown took longer than ${timeoutMs} ms; exiting`);
        process.exit(1);
      }, timeoutMs).unref();
      try {
        await close();
      } catch (err) {
        log.error({ err }, 'shutdown failed');
        code = 1;
      }
      log.info('stopped');
      process.exit(code);
    })());
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  // the node:cluster primary (or whoever started this process over IPC) went away: do not live on as an orphan
  if (process.channel) process.once('disconnect', () => void shutdown('parent gone'));
  return shutdown;
}
