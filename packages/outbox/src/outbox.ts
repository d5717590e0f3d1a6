import { randomUUID } from 'node:crypto';
import { envelope, type IntegrationEvent, type NewEvent } from '@airline/contracts';
import type { Database, Sql } from '@airline/database';
import type { EventBus } from '@airline/messaging';

export interface Causation {
  correlationId: string;
  causationId: string | null;
}

export type Clock = () => Date;

/** Stamps domain events with their identity and appends them to the outbox of the same transaction. */
export async function appendToOutbox(tx: Sql, events: NewEvent[], cause: Causation, clock: Clock = () => new Date()): Promise<IntegrationEvent[]> {
  if (events.length === 0) return [];
  const occurredAt = clock().toISOString();
  const stamped = events.map((e) => envelope(e, { eventId: randomUUID(), occurredAt, ...cause }) as IntegrationEvent);
  await tx.query(
    `INSERT INTO outbox (event_id, type, payload)
     SELECT (e->>'eventId')::uuid, e->>'type', e FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(e, i) ORDER BY i`,
    [JSON.stringify(stamped)],
  );
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
  onError?: (err: unknown) => void;
}

/**
 * Moves events from a service's outbox to the bus. Rows are claimed with FOR UPDATE SKIP LOCKED and
 * deleted in the same transaction that publishes them, so replicas never publish the same row twice
 * and a failed publish leaves the rows for the next try. A crash after publishing but before commit
 * republishes: the bus deduplicates by eventId.
 */
export function createOutboxRelay(db: Database, bus: EventBus, options: RelayOptions = {}): OutboxRelay {
  const batchSize = options.batchSize ?? 500;
  const pollMs = options.pollMs ?? 250;
  let running = false;
  let loop: Promise<void> | undefined;
  let pending = true;
  let wake: () => void = () => {};

  async function publishBatch(): Promise<number> {
    return db.transaction(async (tx) => {
      const claimed = await tx.query<{ id: string; payload: IntegrationEvent }>(
        `DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING id, payload`,
        [batchSize],
      );
      if (claimed.rows.length === 0) return 0;
      const events = claimed.rows.sort((a, b) => Number(a.id) - Number(b.id)).map((r) => r.payload);
      await bus.publish(events);
      return events.length;
    });
  }

  async function drain() {
    while ((await publishBatch()) > 0);
  }

  async function run() {
    while (running) {
      if (pending) {
        pending = false;
        try {
          await drain();
        } catch (err) {
          pending = true;
          options.onError?.(err);
        }
      }
      if (!running) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          pending = true;
          resolve();
        }, pollMs);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
        if (pending) wake();
      });
      wake = () => {};
    }
  }

  return {
    kick() {
      pending = true;
      wake();
    },
    drain,
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      wake();
      await loop;
    },
  };
}
