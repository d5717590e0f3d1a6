// The event pipeline of one service as Prometheus metrics, on the service's own registry (its /metrics):
// what waits in the outbox, where its durable consumers stand in the log, what its consumers handled,
// failed, saw again and parked. Names and units follow Prometheus conventions (`airline_` prefix,
// `_total` counters, `_seconds`); the alert rules and the dashboard under deploy/ use exactly these.
//
// Gauges that describe shared state (the outbox table, the durable consumer, the dead letters) are read
// at scrape time; every replica reports the same value, so queries take max(), not sum().
import { collectDefaultMetrics, Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { IntegrationEvent } from '@airline/contracts';
import type { Database } from '@airline/database';
import type { EventBus, JetStreamEventBus } from '@airline/messaging';
import { outboxBacklog, parkedCounts, type Consumer, type ConsumerObserver } from '@airline/outbox';

export interface PipelineMetrics {
  /** What a consumer of the service reports to (createConsumer's observer). */
  observerFor(consumer: string): ConsumerObserver;
  /** Given to the outbox relay (onPublished). */
  published(events: IntegrationEvent[]): void;
  /** Registers everything on the service's registry, reading the consumers it built (once, after build). */
  register(registry: Registry, consumers: () => readonly Consumer[]): void;
}

export interface PipelineSources {
  db: Database;
  bus: Pick<EventBus, 'consumerLag'>;
  log: Logger;
}

const LABELS = ['consumer', 'event_type'] as const;

export function pipelineMetrics({ db, bus, log }: PipelineSources): PipelineMetrics {
  // created before the service (and so its registry) is built: its consumers are created in build
  const counter = (name: string, help: string, labelNames: readonly string[] = LABELS) =>
    new Counter({ name, help, labelNames, registers: [] });
  const handled = counter(
    'airline_events_handled_total',
    'Events whose effect committed (or that the inbox had seen before), by consumer and event type',
  );
  const failed = counter('airline_events_failed_total', 'Deliveries whose handling failed (retried, or parked on the last attempt)');
  const redelivered = counter(
    'airline_event_redeliveries_total',
    'Deliveries of an event delivered before (a retry after a failure, or a redelivery after a crash)',
  );
  const parked = counter('airline_dead_letters_parked_total', 'Events parked as dead letters after their last attempt');
  const published = counter('airline_outbox_published_total', 'Events the outbox relay handed to the broker, by event type', [
    'event_type',
  ]);
  const collectErrors = counter(
    'airline_metrics_collect_errors_total',
    'Scrapes in which a pipeline gauge could not be read (in that scrape its series are left out, or NaN)',
    ['source'],
  );

  let consumersOf: () => readonly Consumer[] = () => [];

  /**
   * One read per scrape, shared by the gauges it feeds (prom-client collects them concurrently: the
   * first starts the read, the others join it while it runs). A failed read is logged and counted once.
   */
  function perScrape<T>(source: string, read: () => Promise<T>): () => Promise<T> {
    let running: Promise<T> | undefined;
    return () =>
      (running ??= read()
        .catch((err: unknown) => {
          collectErrors.inc({ source });
          log.warn({ err, source }, 'a pipeline metric could not be read');
          throw err;
        })
        .finally(() => {
          running = undefined;
        }));
  }
  const backlog = perScrape('outbox', () => outboxBacklog(db));
  const lag = perScrape('consumer_lag', async () => (await Promise.all(consumersOf().map((c) => bus.consumerLag(c)))).flat());
  const deadLetters = perScrape('dead_letters', () => parkedCounts(db));

  const gauge = <T>(
    name: string,
    help: string,
    labelNames: readonly string[],
    read: () => Promise<T>,
    fill: (g: Gauge<string>, value: T) => void,
  ) => {
    const g: Gauge<string> = new Gauge({
      name,
      help,
      labelNames,
      registers: [],
      async collect() {
        g.reset();
        let value: T;
        try {
          value = await read();
        } catch {
          // reported once by perScrape; unknown is not zero: a labelled series is left out, a plain one is NaN
          if (labelNames.length === 0) g.set(NaN);
          return;
        }
        fill(g, value);
      },
    });
    return g;
  };
  const gauges = [
    gauge('airline_outbox_rows', 'Events in the outbox not yet published', [], backlog, (g, b) => g.set(b.rows)),
    gauge('airline_outbox_oldest_age_seconds', 'Age of the oldest event in the outbox (0 when empty)', [], backlog, (g, b) =>
      g.set(b.oldestAgeSeconds),
    ),
    gauge('airline_consumer_pending_events', 'Events in the log not yet delivered to the durable consumer', LABELS, lag, (g, lags) => {
      for (const l of lags) g.set({ consumer: l.consumer, event_type: l.eventType }, l.pending);
    }),
    gauge('airline_consumer_retrying_events', 'Events that failed at least once and wait for another delivery', LABELS, lag, (g, lags) => {
      for (const l of lags) g.set({ consumer: l.consumer, event_type: l.eventType }, l.retrying);
    }),
    gauge('airline_dead_letters', 'Events parked as dead letters and not redriven', LABELS, deadLetters, (g, counts) => {
      for (const c of counts) g.set({ consumer: c.consumer, event_type: c.eventType }, c.parked);
    }),
  ];

  return {
    observerFor(consumer) {
      const labels = (event: IntegrationEvent) => ({ consumer, event_type: event.type });
      return {
        handled: (event) => handled.inc(labels(event)),
        failed: (event) => failed.inc(labels(event)),
        redelivered: (event) => redelivered.inc(labels(event)),
        parked: (event) => parked.inc(labels(event)),
      };
    },
    published(events) {
      for (const e of events) published.inc({ event_type: e.type });
    },
    register(registry, consumers) {
      consumersOf = consumers;
      for (const m of [handled, failed, redelivered, parked, published, collectErrors, ...gauges]) registry.registerMetric(m);
    },
  };
}

/** Node process metrics (CPU, memory, event loop, GC) on this registry, once. */
export function enableProcessMetrics(registry: Registry): void {
  if (registry.getSingleMetric('process_cpu_user_seconds_total')) return;
  collectDefaultMetrics({ register: registry });
}

/**
 * The JetStream stream's size against its limit (the stream-size alert): every service of the distributed
 * runtime reports the one stream, so queries take max(). A failed read is NaN for that scrape, logged.
 */
export function streamMetrics(registry: Registry, bus: Pick<JetStreamEventBus, 'streamUsage'>, log: Logger): void {
  let running: ReturnType<JetStreamEventBus['streamUsage']> | undefined;
  const usage = () =>
    (running ??= bus
      .streamUsage()
      .catch((err: unknown) => {
        log.warn({ err }, 'the stream size could not be read');
        throw err;
      })
      .finally(() => {
        running = undefined;
      }));
  const gauge = (name: string, help: string, pick: (u: Awaited<ReturnType<typeof usage>>) => number) => {
    const g: Gauge = new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        try {
          g.set(pick(await usage()));
        } catch {
          g.set(NaN);
        }
      },
    });
  };
  gauge('airline_stream_bytes', 'Bytes the event stream holds', (u) => u.bytes);
  gauge('airline_stream_messages', 'Events the event stream holds', (u) => u.messages);
  gauge('airline_stream_max_bytes', 'The stream limit on bytes (-1: none); past it the oldest events are dropped', (u) => u.maxBytes);
}
