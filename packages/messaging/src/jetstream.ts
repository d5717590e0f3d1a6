import {
  AckPolicy,
  connect,
  DeliverPolicy,
  DiscardPolicy,
  nanos,
  RetentionPolicy,
  StorageType,
  StringCodec,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
} from 'nats';
import { channelOf, subjectOf, subjectToken, type EventType, type IntegrationEvent } from '@airline/contracts';
import { backoffMs, type ConsumerLag, type Delivery, type EventBus, type EventLogReader, type Subscription } from './port.js';

export interface JetStreamBusOptions {
  /** NATS server(s), comma separated (`nats://127.0.0.1:4222`). */
  servers: string;
  /**
   * Names the stream (`<prefix>-events`), its subjects (`<prefix>.events.<type>.<correlationId>`) and
   * the durable consumers (`<prefix>-<consumer>-<type>`): deployments, and test runs, sharing a NATS
   * server keep apart by prefix. Default `airline`.
   */
  prefix?: string;
  /** Shown by the server (`nats server report connections`): which service and replica this is. */
  connectionName?: string;
  /** Copies of the stream in a NATS cluster (1 on a single server). */
  replicas?: number;
  /** Window in which the broker drops a second publish with the same Nats-Msg-Id (= eventId). */
  duplicateWindowMs?: number;
  /**
   * How long events are kept (0 = forever: the log is the source of replay and rebuilds). Default 0.
   * Deployments set EVENTS_MAX_AGE_MS (packages/service/src/process.ts).
   */
  maxAgeMs?: number;
  /**
   * Most bytes the stream keeps; past it the oldest events are dropped (discard old), so an alert watches
   * the stream's use of it (airline_stream_bytes / airline_stream_max_bytes). Default 6 GiB: JetStream reserves it,
   * and by default lets its store use 75 % of its disk (7.5 GiB of the 10 GiB volume of deploy/k8s/nats.yaml). -1 = no limit. Deployments set EVENTS_MAX_BYTES.
   */
  maxBytes?: number;
  /** A delivered event not acknowledged within this time goes to another replica (crashed consumer). */
  ackWaitMs?: number;
  /** Unacknowledged events per durable consumer, across its replicas. */
  maxAckPending?: number;
  /** Events handed to `handle` at once. */
  batchSize?: number;
  /** Events a replica asks the broker for ahead of handling them. */
  prefetch?: number;
  publishTimeoutMs?: number;
  backoff?: (attempt: number) => number;
  onError?: (err: unknown, context: string) => void;
  onStatus?: (status: { type: string; data: unknown }) => void;
}

/** How full the stream is, against its limits (metrics and the stream-size alert). */
export interface StreamUsage {
  bytes: number;
  messages: number;
  /** -1 when unlimited. */
  maxBytes: number;
  /** 0 when events are kept forever. */
  maxAgeSeconds: number;
}

export const DEFAULT_STREAM_MAX_BYTES = 6 * 1024 ** 3;

export interface JetStreamEventBus extends EventBus, EventLogReader {
  readonly stream: string;
  streamUsage(): Promise<StreamUsage>;
  /** Resolves when the broker answers for the stream (readiness). */
  ping(): Promise<void>;
  /** Stops taking events: in-flight batches finish and are acknowledged, buffered ones go back to the broker. */
  stopConsuming(): Promise<void>;
}

const codec = StringCodec();
const codeOf = (err: unknown) => (err as { code?: string } | null)?.code;
const NAME = /^[A-Za-z0-9_-]+$/;

/** The durable consumer of one service for one event type (NATS 2.9 filters a consumer on one subject). */
export const durableName = (prefix: string, consumer: string, type: EventType) => `${prefix}-${subjectToken(consumer)}-${type}`;

/**
 * The messaging port on NATS JetStream. Every integration event goes to one durable stream, on the
 * subject `<prefix>.events.<type>.<correlationId>`, published with `Nats-Msg-Id` = eventId so the
 * broker drops a republished event (outbox relay retry, crash before the outbox row was deleted).
 *
 * Each consuming service has durable pull consumers — one per event type it handles, since this NATS
 * server filters a consumer on one subject — shared by all its replicas, so each event goes to one
 * replica. An event is acknowledged only after `handle` resolved, that is after the inbox+effect
 * transaction committed; an event whose handling failed is negatively acknowledged with a delay
 * (backoff) and comes back with a higher delivery count. The consumer wrapper parks an event that
 * keeps failing as a dead letter and reports it 'done', so the broker never gives up on its own
 * (max_deliver unlimited) and never drops an event silently.
 */
export async function createJetStreamEventBus(options: JetStreamBusOptions): Promise<JetStreamEventBus> {
  const prefix = options.prefix ?? 'airline';
  if (!NAME.test(prefix)) throw new Error(`stream prefix ${JSON.stringify(prefix)} may hold only letters, digits, _ and -`);
  const stream = `${prefix}-events`;
  const batchSize = options.batchSize ?? 256;
  const prefetch = options.prefetch ?? batchSize * 2;
  const ackWaitMs = options.ackWaitMs ?? 30_000;
  const backoff = options.backoff ?? ((a: number) => backoffMs(a));
  const publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
  const onError = options.onError ?? (() => {});

  const nc: NatsConnection = await connect({
    servers: options.servers.split(',').map((s) => s.trim()),
    name: options.connectionName,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    pingInterval: 5_000,
  });
  void (async () => {
    for await (const s of nc.status()) options.onStatus?.({ type: String(s.type), data: s.data });
  })();
  const jsm: JetStreamManager = await nc.jetstreamManager({ timeout: publishTimeoutMs });
  const js: JetStreamClient = nc.jetstream({ timeout: publishTimeoutMs });

  await ensureStream(jsm, {
    name: stream,
    subjects: [`${prefix}.events.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    num_replicas: options.replicas ?? 1,
    duplicate_window: nanos(options.duplicateWindowMs ?? 5 * 60_000),
    max_age: nanos(options.maxAgeMs ?? 0),
    max_bytes: options.maxBytes ?? DEFAULT_STREAM_MAX_BYTES,
    allow_direct: true,
  });

  const running: ConsumerLoop[] = [];
  let consuming = true;

  async function ensureConsumer(durable: string, filter: string) {
    const config: Partial<ConsumerConfig> = {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All, // a new consumer catches up from the log, like the embedded one
      filter_subject: filter,
      ack_wait: nanos(ackWaitMs),
      max_deliver: -1,
      max_ack_pending: options.maxAckPending ?? 2048,
      max_waiting: 512,
    };
    try {
      const info = await jsm.consumers.info(stream, durable);
      const c = info.config;
      if (c.ack_wait !== config.ack_wait || c.max_ack_pending !== config.max_ack_pending || c.max_deliver !== config.max_deliver) {
        await jsm.consumers.update(stream, durable, {
          ack_wait: config.ack_wait,
          max_ack_pending: config.max_ack_pending,
          max_deliver: config.max_deliver,
        });
      }
    } catch (err) {
      if (codeOf(err) !== '404') throw err;
      // replicas starting together all try; adding an identical consumer again is accepted
      await jsm.consumers.add(stream, config);
    }
  }

  return {
    stream,
    async publish(events) {
      if (events.length === 0) return;
      // sent in order on one connection; each acknowledged by the stream (or reported a duplicate)
      await Promise.all(
        events.map((e) =>
          js.publish(subjectOf(e, prefix), codec.encode(JSON.stringify(e)), { msgID: e.eventId, timeout: publishTimeoutMs }),
        ),
      );
    },

    async subscribe(sub) {
      for (const type of sub.eventTypes) {
        const durable = durableName(prefix, sub.consumer, type);
        await ensureConsumer(durable, `${channelOf(type, prefix)}.>`);
        const loop = new ConsumerLoop(js, stream, durable, sub, { batchSize, prefetch, ackWaitMs, backoff, onError });
        running.push(loop);
        if (consuming) await loop.start();
      }
    },

    async consumerLag({ consumer, eventTypes }) {
      const lags: ConsumerLag[] = [];
      for (const eventType of eventTypes) {
        try {
          const info = await jsm.consumers.info(stream, durableName(prefix, consumer, eventType));
          lags.push({ consumer, eventType, pending: info.num_pending, retrying: info.num_redelivered });
        } catch (err) {
          if (codeOf(err) === '404') continue; // not subscribed yet: the broker keeps no position for it
          throw err;
        }
      }
      return lags;
    },

    async read({ correlationId, types, after = 0, limit = 10_000 }) {
      const only = types ? new Set<string>(types) : undefined;
      const filter =
        correlationId !== undefined
          ? `${prefix}.events.${only?.size === 1 ? [...only][0] : '*'}.${subjectToken(correlationId)}`
          : only?.size === 1
            ? `${channelOf([...only][0]!, prefix)}.>`
            : `${prefix}.events.>`;
      // a throwaway consumer that the server removes by itself if this process dies mid-read
      const ci = await jsm.consumers.add(stream, {
        ack_policy: AckPolicy.None,
        deliver_policy: after > 0 ? DeliverPolicy.StartSequence : DeliverPolicy.All,
        ...(after > 0 ? { opt_start_seq: after + 1 } : {}),
        filter_subject: filter,
        inactive_threshold: nanos(60_000),
        mem_storage: true,
        num_replicas: 1,
      });
      const out: Array<{ seq: number; event: IntegrationEvent }> = [];
      try {
        let left = ci.num_pending;
        const consumer = await js.consumers.get(stream, ci.name);
        while (left > 0 && out.length < limit) {
          const msgs = await consumer.fetch({ max_messages: Math.min(left, 1000), expires: 5_000 });
          let got = 0;
          for await (const m of msgs) {
            got++;
            left = m.info.pending;
            const event = m.json<IntegrationEvent>();
            if (only && !only.has(event.type)) continue;
            out.push({ seq: m.seq, event });
            if (out.length >= limit) break;
          }
          if (got === 0) break;
        }
      } finally {
        await jsm.consumers.delete(stream, ci.name).catch((err) => onError(err, 'deleting a read consumer'));
      }
      return out;
    },

    async ping() {
      await jsm.streams.info(stream);
    },

    async streamUsage() {
      const info = await jsm.streams.info(stream);
      return {
        bytes: info.state.bytes,
        messages: info.state.messages,
        maxBytes: info.config.max_bytes,
        maxAgeSeconds: info.config.max_age / 1e9,
      };
    },

    async stopConsuming() {
      consuming = false;
      await Promise.all(running.map((l) => l.stop()));
    },

    async close() {
      consuming = false;
      await Promise.all(running.map((l) => l.stop()));
      if (!nc.isClosed()) await nc.drain();
    },
  };
}

async function ensureStream(
  jsm: JetStreamManager,
  config: Parameters<JetStreamManager['streams']['add']>[0] & { name: string; subjects: string[] },
) {
  try {
    const info = await jsm.streams.info(config.name);
    const c = info.config;
    if (
      c.duplicate_window !== config.duplicate_window ||
      c.max_age !== config.max_age ||
      c.max_bytes !== config.max_bytes ||
      c.subjects.join() !== config.subjects.join()
    ) {
      // the limits are the deployment's (EVENTS_MAX_AGE_MS, EVENTS_MAX_BYTES): a changed one is applied on start
      await jsm.streams.update(config.name, {
        ...c,
        subjects: config.subjects,
        duplicate_window: config.duplicate_window,
        max_age: config.max_age,
        max_bytes: config.max_bytes,
      });
    }
  } catch (err) {
    if (codeOf(err) !== '404') throw err;
    try {
      await jsm.streams.add(config);
    } catch (addErr) {
      // another replica created it between our look and our add: fine when it is there now
      await jsm.streams.info(config.name).catch(() => {
        throw addErr;
      });
    }
  }
}

interface LoopOptions {
  batchSize: number;
  prefetch: number;
  ackWaitMs: number;
  backoff: (attempt: number) => number;
  onError: (err: unknown, context: string) => void;
}

/**
 * Pulls one durable consumer and hands its events to the subscription in batches: whatever arrived
 * while the previous batch was being handled forms the next one, so batches grow with the load and a
 * lone event is handled at once.
 */
class ConsumerLoop {
  private messages?: ConsumerMessages;
  private queue: Array<{ m: JsMsg; at: number }> = [];
  private inflight: Array<{ m: JsMsg; at: number }> = [];
  private wake: () => void = () => {};
  private stopping = false;
  private done?: Promise<void>;
  private keepAlive?: NodeJS.Timeout;

  constructor(
    private readonly js: JetStreamClient,
    private readonly stream: string,
    private readonly durable: string,
    private readonly sub: Subscription,
    private readonly o: LoopOptions,
  ) {}

  async start() {
    const consumer = await this.js.consumers.get(this.stream, this.durable);
    this.messages = await consumer.consume({
      max_messages: this.o.prefetch,
      callback: (m) => {
        if (this.stopping) {
          m.nak(); // arrived while stopping: straight back to the broker for another replica
          return;
        }
        this.queue.push({ m, at: Date.now() });
        this.wake();
      },
    });
    // events waiting in this replica's buffer or being handled must not be redelivered elsewhere
    // just because a batch is slow: tell the broker they are being worked on
    this.keepAlive = setInterval(
      () => {
        const old = Date.now() - this.o.ackWaitMs / 3;
        for (const x of [...this.inflight, ...this.queue]) if (x.at < old) x.m.working();
      },
      Math.max(250, this.o.ackWaitMs / 3),
    );
    this.keepAlive.unref();
    this.done = this.run();
  }

  private async run() {
    while (!this.stopping) {
      if (this.queue.length === 0) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
        this.wake = () => {};
        continue;
      }
      this.inflight = this.queue.splice(0, this.o.batchSize);
      await this.handle(this.inflight);
      this.inflight = [];
    }
  }

  private async handle(batch: Array<{ m: JsMsg }>) {
    const deliveries: Delivery[] = [];
    const msgs: JsMsg[] = [];
    for (const { m } of batch) {
      let event: IntegrationEvent;
      try {
        event = m.json<IntegrationEvent>();
      } catch (err) {
        // not JSON: no consumer could ever read it. It stays in the stream at this sequence.
        this.o.onError(err, `${this.durable}: message ${m.seq} on ${m.subject} is not JSON; terminated (it stays in the stream)`);
        m.term();
        continue;
      }
      deliveries.push({ event, attempt: m.info.deliveryCount });
      msgs.push(m);
    }
    if (deliveries.length === 0) return;
    let outcomes: Array<'done' | 'retry'>;
    try {
      outcomes = await this.sub.handle(deliveries);
    } catch (err) {
      // e.g. the database is down and not even a dead letter could be written: everything comes back
      this.o.onError(err, `${this.durable}: handling a batch failed`);
      outcomes = deliveries.map(() => 'retry');
    }
    msgs.forEach((m, i) => {
      if (outcomes[i] === 'done') m.ack();
      else m.nak(this.o.backoff(deliveries[i]!.attempt));
    });
  }

  async stop() {
    if (this.stopping) return this.done;
    this.stopping = true;
    clearInterval(this.keepAlive);
    await this.messages?.close().catch((err) => this.o.onError(err, `${this.durable}: closing the pull`));
    this.wake();
    await this.done;
    for (const { m } of this.queue.splice(0)) m.nak();
  }
}
