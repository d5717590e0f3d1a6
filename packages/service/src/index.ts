import type { Logger } from 'pino';
import type { Database, Migration } from '@airline/database';
import { migrate } from '@airline/database';
import type { EventBus } from '@airline/messaging';
import type { IntegrationEvent } from '@airline/contracts';
import { serviceLogger, tracerFor } from '@airline/telemetry';
import {
  createConsumer,
  createOutboxRelay,
  eventLogFields,
  messagingMigration,
  type Consumer,
  type ConsumerOptions,
  type EventHandlers,
  type OutboxRelay,
  type Clock,
} from '@airline/outbox';
import { idempotencyMigration, type HttpApp } from '@airline/http';
import { deadLetterRoutes } from './dead-letter-routes.js';
import { enableProcessMetrics, pipelineMetrics } from './pipeline-metrics.js';
export { DeadLetter, RedriveInput, RedriveOutcome } from './dead-letter-routes.js';

export * from './process.js';
export * from './pipeline-metrics.js';

/** What a service is given by its composition root (embedded runtime, cluster process, or a test). */
export interface ServiceDeps {
  db: Database;
  bus: EventBus;
  log: Logger;
  clock: Clock;
  /** Kicks the service's outbox relay after a commit that wrote events. */
  relay: OutboxRelay;
  /** Told of the events the outbox relay published (after the broker took them; at least once): metrics. */
  onPublished(listener: (events: IntegrationEvent[]) => void): void;
  /** A durable consumer of this service, with inbox, dead letters and logging wired in. */
  consumer(name: string, handlers: EventHandlers, options?: Pick<ConsumerOptions, 'lockOrder' | 'prefetch'>): Consumer;
}

/** A background loop of a service (payment worker, hold-expiry sweeper). */
export interface Worker {
  name: string;
  start(): void;
  stop(): Promise<void>;
}

export interface BuiltService {
  app: HttpApp;
  consumers: Consumer[];
  workers: Worker[];
}

export interface ServiceDefinition<C> {
  name: string;
  migrations: Migration[];
  build(deps: ServiceDeps, config: C): BuiltService | Promise<BuiltService>;
}

export interface RunningService extends BuiltService {
  name: string;
  db: Database;
  relay: OutboxRelay;
  /** Listening address (after listen). */
  url: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  db: Database;
  bus: EventBus;
  log: Logger;
  clock?: Clock;
  port: number;
  host?: string;
  /** Start consumers, workers and the relay (false: HTTP only — for a test that wants a stopped pipeline). */
  pipeline?: boolean;
  /** Failed deliveries before an event is parked as a dead letter. */
  maxAttempts?: number;
  /** More readiness checks of /health/ready (the distributed runtime adds the broker). */
  readiness?: Record<string, () => Promise<unknown>>;
  /**
   * Node process metrics (CPU, memory, event loop, GC) on this service's /metrics: on where the process
   * runs this one service (the distributed runtime). The embedded runtime's services share one process,
   * whose metrics belong on one registry only.
   */
  processMetrics?: boolean;
  /**
   * 'apply' (default): apply the migrations not applied yet. 'verify': refuse to start unless every one
   * was applied already (Kubernetes: by the migrations Job, whose role may change the schema; the
   * service's role needs no more at run time).
   */
  migrations?: 'apply' | 'verify';
}

/** Everything a service's database is migrated with, in order: the shared messaging tables first. */
export const serviceMigrations = (def: Pick<ServiceDefinition<unknown>, 'migrations'>): Migration[] => [
  messagingMigration,
  idempotencyMigration,
  ...def.migrations,
];

/** Throws, naming what is missing, unless every migration was applied (by the migrations Job). */
export async function verifyMigrations(db: Database, service: string, migrations: Migration[]): Promise<void> {
  let applied = new Set<string>();
  try {
    applied = new Set((await db.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name));
  } catch (err) {
    if ((err as { code?: string }).code !== '42P01') throw err; // undefined_table: nothing applied yet
  }
  const missing = migrations.map((m) => m.name).filter((n) => !applied.has(n));
  if (missing.length > 0) {
    throw new Error(
      `${service}: migrations not applied: ${missing.join(', ')}. Run the migrations Job (deploy/k8s/migrate-job.yaml) first; MIGRATIONS=verify does not change the schema`,
    );
  }
}

/**
 * Starts one service: migrations (shared messaging tables first), HTTP, outbox relay, consumers,
 * workers. stop() goes in reverse: no new requests, finish in-flight work, drain the outbox, close.
 */
export async function startService<C>(def: ServiceDefinition<C>, config: C, opts: StartOptions): Promise<RunningService> {
  const { db, bus } = opts;
  const log = serviceLogger(opts.log, def.name);
  if (opts.migrations === 'verify') await verifyMigrations(db, def.name, serviceMigrations(def));
  else await migrate(db, serviceMigrations(def));
  // the event pipeline's metrics (outbox, consumer lag, handled/failed/parked) on the service's /metrics
  const metrics = pipelineMetrics({ db, bus, log });
  const publishedListeners: Array<(events: IntegrationEvent[]) => void> = [metrics.published];
  const relay = createOutboxRelay(db, bus, {
    onError: (err) => log.warn({ err }, 'outbox relay failed; will retry'),
    onPublished: (events) => {
      for (const listener of publishedListeners) listener(events);
    },
  });
  const clock = opts.clock ?? (() => new Date());
  const consumer = (name: string, handlers: EventHandlers, consumerOptions: Pick<ConsumerOptions, 'lockOrder' | 'prefetch'> = {}) =>
    createConsumer({
      ...consumerOptions,
      db,
      consumer: name,
      handlers,
      maxAttempts: opts.maxAttempts,
      clock,
      onCommit: relay.kick,
      log,
      tracer: tracerFor(def.name), // undefined while tracing is off
      // correlationId = the reservation id for the booking saga: one search finds a booking's trouble in every service
      onError: (err, event, attempt) => log.warn({ err, consumer: name, ...eventLogFields(event), attempt }, 'handler failed; will retry'),
      onDeadLetter: (event, error) => log.error({ consumer: name, ...eventLogFields(event), error }, 'event parked as dead letter'),
      observer: metrics.observerFor(name),
    });
  const onPublished = (listener: (events: IntegrationEvent[]) => void) => void publishedListeners.push(listener);
  const built = await def.build({ db, bus, log, clock, relay, consumer, onPublished }, config);
  metrics.register(built.app.metrics, () => built.consumers);
  if (opts.processMetrics) enableProcessMetrics(built.app.metrics);
  deadLetterRoutes(built.app, db, built.consumers);
  Object.assign(built.app.readiness, opts.readiness);
  await built.app.listen({ port: opts.port, host: opts.host ?? '127.0.0.1' });
  const address = built.app.server.address();
  const url = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : String(address);
  const pipeline = opts.pipeline ?? true;
  if (pipeline) {
    relay.start();
    for (const c of built.consumers) await bus.subscribe(c);
    for (const w of built.workers) w.start();
  }
  log.info({ url }, `${def.name} started`);
  return {
    ...built,
    name: def.name,
    db,
    relay,
    url,
    async stop() {
      for (const w of built.workers) await w.stop();
      await built.app.close();
      await relay.stop();
      if (pipeline) await relay.drain().catch((err) => log.warn({ err }, 'outbox not drained at shutdown; it will be on next start'));
    },
  };
}
