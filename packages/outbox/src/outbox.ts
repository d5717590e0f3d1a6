import { randomUUID } from 'node:crypto';
import { envelope, type IntegrationEvent, type NewEvent } from '@airline/contracts';
import type { Database, Tx } from '@airline/database';
import type { EventBus } from '@airline/messaging';
import { currentTraceparent } from '@airline/telemetry';
import { passLoop } from './pass-loop.js';

export interface Causation {
  correlationId: string;
  causationId: string | null;
  /**
   * The span the events are written in (W3C traceparent), when tracing is on. Not given: the active
   * span's. Work done for several requests or rows at once (group commit, the payment worker) names each one's.
   */
  traceparent?: string;
}

export type Clock = () => Date;

/** Gives domain events their transport identity (id, time, correlation, causation, trace context). */
export function stampEvents(events: NewEvent[], cause: Causation, clock: Clock = () => new Date()): IntegrationEvent[] {
  const occurredAt = clock().toISOString();
  const traceparent = cause.traceparent ?? currentTraceparent(); // undefined while tracing is off
  const meta = { correlationId: cause.correlationId, causationId: cause.causationId, ...(traceparent ? { traceparent } : {}) };
  return events.map((e) => envelope(e, { eventId: randomUUID(), occurredAt, ...meta }) as IntegrationEvent);
}

/** Inserts stamped events into the outbox (one statement, in order), with the transaction's next round trip. */
export function insertIntoOutbox(tx: Tx, stamped: IntegrationEvent[]): void {
  if (stamped.length === 0) return;
  tx.enqueue(
    `INSERT INTO outbox (event_id, type, payload)
     SELECT (e->>'eventId')::uuid, e->>'type', e FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(e, i) ORDER BY i`,
    [JSON.stringify(stamped)],
  );
}

/** Stamps domain events and appends them to the outbox of the same transaction. */
export function appendToOutbox(tx: Tx, events: NewEvent[], cause: Causation, clock: Clock = () => new Date()): IntegrationEvent[] {
  const stamped = stampEvents(events, cause, clock);
  insertIntoOutbox(tx, stamped);
  return stamped;
}

export interface OutboxRelay {
  /** Ask the relay to look now (called after a commit that wrote to the outbox). */
  kick(): void;
  /** Publishes everything in the outbox now; resolves when it is empty (tests, shutdown). */
  drain(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

export interface RelayOptions {
  batchSize?: number;
  pollMs?: number;
  /** After a kick, wait this long for more commits to publish together (ms; default 0: no timer, see passLoop). */
  lingerMs?: number;
  onError?: (err: unknown) => void;
  /** Called with the events of each batch the bus accepted, before the rows' deletion commits (metrics). */
  onPublished?: (events: IntegrationEvent[]) => void;
}

/** What waits in a service's outbox: the relay is behind (or the broker down) when this grows. */
export interface OutboxBacklog {
  rows: number;
  /** Age of the oldest row, by the database's clock; 0 when the outbox is empty. */
  oldestAgeSeconds: number;
}

export async function outboxBacklog(db: Database): Promise<OutboxBacklog> {
  const r = await db.query<{ rows: string; age: number | string | null }>(
    `SELECT count(*)::text AS rows, extract(epoch FROM now() - min(created_at))::float8 AS age FROM outbox`,
  );
  const row = r.rows[0]!;
  return { rows: Number(row.rows), oldestAgeSeconds: Math.max(0, Number(row.age ?? 0)) };
}

/**
 * Moves events from a service's outbox to the bus. On PostgreSQL, rows are claimed with FOR UPDATE SKIP
 * LOCKED and deleted in the same transaction that publishes them, so replicas never publish the same
 * row twice and a failed publish leaves the rows for the next try. A crash after publishing but before
 * commit republishes: the bus deduplicates by eventId. On PGlite (one process, one relay per outbox) the
 * rows are read, published and then deleted, so that the one connection is not held during the publish.
 */
export function createOutboxRelay(db: Database, bus: Pick<EventBus, 'publish'>, options: RelayOptions = {}): OutboxRelay {
  const batchSize = options.batchSize ?? 500;
  const pollMs = options.pollMs ?? 250;
  const lingerMs = options.lingerMs ?? 0;
  /** Hands a batch to the bus, in outbox order; resolves with its size once the bus has it. */
  async function send(events: IntegrationEvent[]): Promise<number> {
    await bus.publish(events);
    options.onPublished?.(events);
    return events.length;
  }

  // PostgreSQL: claimed, published and deleted in one transaction.
  async function publishClaimed(): Promise<number> {
    return db.transaction(async (tx) => {
      const claimed = await tx.query<{ id: string; payload: IntegrationEvent }>(
        `DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING id, payload`,
        [batchSize],
      );
      if (claimed.rows.length === 0) return 0;
      return send(claimed.rows.sort((a, b) => Number(a.id) - Number(b.id)).map((r) => r.payload));
    });
  }

  // PGlite is one connection that every transaction of its database waits for: it is not held while the
  // bus takes the batch. The rows are read, published, then deleted; a crash in between publishes them
  // again (the bus deduplicates by eventId), and so would a second relay of the same outbox.
  async function publishThenDelete(): Promise<number> {
    const read = await db.query<{ id: string; payload: IntegrationEvent }>('SELECT id, payload FROM outbox ORDER BY id LIMIT $1', [
      batchSize,
    ]);
    if (read.rows.length === 0) return 0;
    const sent = await send(read.rows.map((r) => r.payload));
    await db.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [read.rows.map((r) => r.id)]);
    return sent;
  }

  const publishBatch = db.kind === 'pglite' ? publishThenDelete : publishClaimed;

  async function drain() {
    while ((await publishBatch()) > 0);
  }

  const loop = passLoop(publishBatch, { idleMs: pollMs, lingerMs, onError: (err) => options.onError?.(err) });

  return { kick: loop.kick, drain, start: loop.start, stop: loop.stop };
}
