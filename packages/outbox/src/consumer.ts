import type { EventOfType, EventType, IntegrationEvent, NewEvent } from '@airline/contracts';
import { parseEvent } from '@airline/contracts';
import { UnitOfWork, type Database, type Tx } from '@airline/database';
import type { Delivery, DeliveryOutcome, Subscription } from '@airline/messaging';
import { contextFromTraceparent, inSpan, SpanKind, traceIdOf, type Tracer } from '@airline/telemetry';
import pino, { type Logger } from 'pino';
import { insertIntoOutbox, stampEvents, type Clock } from './outbox.js';

/** What every log line about an event names: one search by correlationId follows a booking. */
export const eventLogFields = (event: IntegrationEvent) => ({
  eventId: event.eventId,
  eventType: event.type,
  correlationId: event.correlationId,
  causationId: event.causationId,
  ...(event.traceparent ? { traceId: traceIdOf(event.traceparent) } : {}),
});

const silent = pino({ level: 'silent' });

/**
 * What an inbound handler gets: the unit of work of its effect's transaction (shared by the batch's
 * handlers; the consumer flushes it before COMMIT), and a way to emit events in it.
 */
export interface HandlerContext {
  uow: UnitOfWork;
  /** The transaction (uow.tx), for statements the handler awaits itself. */
  tx: Tx;
  now: Date;
  /** The service's logger bound to this event (eventId, eventType, correlationId, causationId, consumer). */
  log: Logger;
  /** Emits events in this transaction (outbox); correlation and causation come from the handled event. */
  emit(...events: NewEvent[]): Promise<void>;
  /** Same, with another correlation id (e.g. one event per reservation of a cancelled flight). */
  emitFor(correlationId: string, ...events: NewEvent[]): Promise<void>;
  /**
   * Runs fn once this transaction has committed (not if it rolls back): to wake a worker that must see
   * what the handler wrote. On PostgreSQL a worker woken inside the transaction looks too early. The
   * same fn given for several events of a batch runs once.
   */
  afterCommit(fn: () => void): void;
}

export type EventHandlers = { [T in EventType]?: (event: EventOfType<T>, ctx: HandlerContext) => Promise<void> };

export interface ConsumerOptions {
  db: Database;
  consumer: string;
  handlers: EventHandlers;
  /** After this many failed deliveries the event is parked in dead_letters. */
  maxAttempts?: number;
  clock?: Clock;
  /** Called after a commit that wrote to the outbox (kicks the relay). */
  onCommit?: () => void;
  onError?: (err: unknown, event: IntegrationEvent, attempt: number) => void;
  onDeadLetter?: (event: IntegrationEvent, error: string) => void;
  /** The service's logger: one line per event handled, and the logger handlers get (ctx.log). */
  log?: Logger;
  /**
   * Traces (tracing on): each event is handled in a CONSUMER span whose parent is the event's
   * traceparent, and the events it emits carry that span's context.
   */
  tracer?: Tracer;
  /** Counts what happens to deliveries (metrics); each call is one delivery of this consumer. */
  observer?: ConsumerObserver;
  /**
   * The row an event's handler locks first (e.g. its flight). A batch is applied in this order, so two
   * replicas handling batches over the same rows lock them in the same order and cannot deadlock.
   */
  lockOrder?: (event: IntegrationEvent) => number | string;
  /**
   * Loads into the batch's unit of work what its handlers would otherwise read one event at a time: one
   * round trip per batch instead of one per event. Runs after the inbox claim, with the events not
   * handled before.
   */
  prefetch?: (uow: UnitOfWork, events: IntegrationEvent[]) => Promise<void>;
}

/** What a consumer reports about each delivery: the pipeline metrics count these. */
export interface ConsumerObserver {
  /** A delivery that came again (attempt > 1): a retry after a failure, or a redelivery after a crash. */
  redelivered(event: IntegrationEvent, attempt: number): void;
  /** The event's effect committed (or it had been handled before: the inbox absorbed it). */
  handled(event: IntegrationEvent): void;
  /** Handling this delivery failed; it will be retried, or parked when this was the last attempt. */
  failed(event: IntegrationEvent, attempt: number): void;
  /** Parked as a dead letter after its last attempt. */
  parked(event: IntegrationEvent): void;
}

export interface Consumer extends Subscription {
  /** Handles one event now, through the inbox (used by redrive). */
  handleOne(event: IntegrationEvent): Promise<void>;
}

/**
 * A durable consumer with an inbox: the event id is recorded in the same transaction as the handler's
 * effect, so an event delivered again changes nothing. A batch is handled in one transaction; if that
 * fails, each event is retried alone so one bad event cannot hold the others back. An event that still
 * fails after maxAttempts deliveries is parked as a dead letter, never dropped.
 */
export function createConsumer(options: ConsumerOptions): Consumer {
  const { db, consumer, handlers } = options;
  const maxAttempts = options.maxAttempts ?? 5;
  const clock = options.clock ?? (() => new Date());
  const eventTypes = Object.keys(handlers) as EventType[];

  /**
   * Applies events in the caller's transaction: claims their ids in the inbox (one statement), runs the
   * handler of each event not handled before in one unit of work, flushes it, and writes everything they
   * emitted to the outbox (one statement). Returns whether anything was emitted.
   */
  async function apply(tx: Tx, raws: IntegrationEvent[], after: Set<() => void>, handledNow: IntegrationEvent[]): Promise<boolean> {
    const events = raws.map(parseEvent);
    const claimed = await tx.query<{ event_id: string }>(
      `INSERT INTO inbox (consumer, event_id, event_type)
       SELECT $1, (e->>'eventId')::uuid, e->>'type' FROM jsonb_array_elements($2::jsonb) AS t(e)
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [consumer, JSON.stringify(events.map((e) => ({ eventId: e.eventId, type: e.type })))],
    );
    const fresh = new Set(claimed.rows.map((r) => r.event_id));
    const uow = new UnitOfWork(tx);
    if (fresh.size > 0 && options.prefetch)
      await options.prefetch(
        uow,
        events.filter((e) => fresh.has(e.eventId)),
      );
    const outgoing: IntegrationEvent[] = [];
    const now = clock();
    for (const event of events) {
      if (!fresh.delete(event.eventId)) continue; // handled before: a redelivery
      let log: Logger | undefined;
      const ctx: HandlerContext = {
        uow,
        tx,
        now,
        get log() {
          log ??= (options.log ?? silent).child({ consumer, ...eventLogFields(event) });
          return log;
        },
        emit: (...emitted) => ctx.emitFor(event.correlationId, ...emitted),
        async emitFor(correlationId, ...emitted) {
          outgoing.push(...stampEvents(emitted, { correlationId, causationId: event.eventId }, () => now));
        },
        afterCommit: (fn) => void after.add(fn),
      };
      const handler = handlers[event.type] as ((e: IntegrationEvent, c: HandlerContext) => Promise<void>) | undefined;
      if (!handler) throw new Error(`${consumer} has no handler for ${event.type}`);
      if (!options.tracer) await handler(event, ctx);
      else {
        const attributes = {
          'messaging.operation.type': 'process',
          'messaging.destination.name': event.type,
          'messaging.message.id': event.eventId,
          'messaging.consumer.group.name': consumer,
          'airline.correlation_id': event.correlationId,
        };
        await inSpan(
          options.tracer,
          `${consumer} process ${event.type}`,
          { kind: SpanKind.CONSUMER, attributes, parent: contextFromTraceparent(event.traceparent) },
          () => handler(event, ctx),
        );
      }
      handledNow.push(event);
    }
    await uow.flush();
    insertIntoOutbox(tx, outgoing);
    return outgoing.length > 0;
  }

  /** One line per event whose effect committed (an event the inbox had seen before writes none). */
  function logHandled(events: IntegrationEvent[], startedAt: number) {
    const log = options.log;
    if (!log?.isLevelEnabled('info')) return;
    const durationMs = Math.round((performance.now() - startedAt) * 10) / 10;
    for (const event of events) log.info({ consumer, ...eventLogFields(event), durationMs, batch: events.length }, 'event handled');
  }

  async function handleOne(event: IntegrationEvent) {
    const after = new Set<() => void>();
    const handledNow: IntegrationEvent[] = [];
    const startedAt = performance.now();
    const wrote = await db.transaction((tx) => apply(tx, [event], after, handledNow));
    if (wrote) options.onCommit?.();
    logHandled(handledNow, startedAt);
    for (const fn of after) fn();
  }

  async function park(d: Delivery, err: unknown) {
    const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    await db.query(
      `INSERT INTO dead_letters (consumer, event_id, event_type, payload, error, attempts) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (consumer, event_id) DO UPDATE SET error = EXCLUDED.error, attempts = EXCLUDED.attempts, parked_at = now(), redriven_at = NULL`,
      [consumer, d.event.eventId, String(d.event.type), JSON.stringify(d.event), error, d.attempt],
    );
    options.onDeadLetter?.(d.event, error);
    options.observer?.parked(d.event);
  }

  async function handle(batch: Delivery[]): Promise<DeliveryOutcome[]> {
    const observer = options.observer;
    if (observer) for (const d of batch) if (d.attempt > 1) observer.redelivered(d.event, d.attempt);
    if (batch.length > 1) {
      try {
        const events = batch.map((d) => d.event);
        const after = new Set<() => void>();
        const startedAt = performance.now();
        // a failed attempt's events are forgotten: the one-at-a-time fall-back handles them again
        let handledNow: IntegrationEvent[] = [];
        const wrote = await db.transaction((tx) => {
          handledNow = [];
          return apply(tx, options.lockOrder ? inLockOrder(events, options.lockOrder) : events, after, handledNow);
        });
        if (wrote) options.onCommit?.();
        logHandled(handledNow, startedAt);
        for (const fn of after) fn();
        if (observer) for (const d of batch) observer.handled(d.event);
        return batch.map(() => 'done');
      } catch {
        // fall through: find the event(s) that fail, one transaction each
      }
    }
    const outcomes: DeliveryOutcome[] = [];
    for (const d of batch) {
      try {
        await handleOne(d.event);
        observer?.handled(d.event);
        outcomes.push('done');
      } catch (err) {
        options.onError?.(err, d.event, d.attempt);
        observer?.failed(d.event, d.attempt);
        if (d.attempt >= maxAttempts) {
          await park(d, err);
          outcomes.push('done');
        } else outcomes.push('retry');
      }
    }
    return outcomes;
  }

  return { consumer, eventTypes, handle, handleOne };
}

/** Stable sort by lock key: events on the same row keep their delivery order. */
function inLockOrder(events: IntegrationEvent[], key: (event: IntegrationEvent) => number | string): IntegrationEvent[] {
  return events
    .map((event, i) => ({ event, i, k: key(event) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.i - b.i))
    .map((x) => x.event);
}
