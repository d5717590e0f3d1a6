import type { IntegrationEvent } from '@airline/contracts';
import type { Database } from '@airline/database';
import { migrate, oneAtATime } from '@airline/database';
import { backoffMs, type ConsumerLag, type Delivery, type EventBus, type EventLogReader, type Subscription } from './port.js';

const SCHEMA = `
CREATE TABLE event_log (
  seq bigserial PRIMARY KEY,
  event_id uuid NOT NULL UNIQUE,
  type text NOT NULL,
  correlation_id text NOT NULL,
  occurred_at timestamptz NOT NULL,
  payload jsonb NOT NULL
);
CREATE INDEX event_log_correlation ON event_log (correlation_id, seq);
CREATE TABLE consumer_position (consumer text PRIMARY KEY, position bigint NOT NULL);
CREATE TABLE consumer_retry (
  consumer text NOT NULL,
  seq bigint NOT NULL REFERENCES event_log (seq),
  attempt int NOT NULL,
  due_at timestamptz NOT NULL,
  PRIMARY KEY (consumer, seq)
);`;

export interface EmbeddedBusOptions {
  batchSize?: number;
  /** How often a consumer looks for due retries when nothing new arrives. */
  pollMs?: number;
  /**
   * How long a woken consumer waits for more events to batch with (ms). Default 0: no timer; it looks at
   * the end of the publisher's turn of the event loop (events published together still come as one
   * batch, and under load a batch is what arrived while the previous one was handled).
   */
  lingerMs?: number;
  /** How many of the latest events are also kept in memory, for consumers to read without a query. */
  tailSize?: number;
  backoff?: (attempt: number) => number;
  onError?: (err: unknown, consumer: string) => void;
  /**
   * For tests: delivers each event type of a subscription on a loop of its own, with a position of its
   * own, as the JetStream adapter does (one durable consumer per type), and each loop waits a random
   * while (up to maxDelayMs, default 20) before handling a batch. Event types then overtake each other
   * and batches of one consumer run at once, so the orderings production sees are seen by every spec.
   * Off by default; the embedded runtime turns it on with AIRLINE_REORDER_EVENT_TYPES=1, for a whole test run.
   */
  reorderTypes?: boolean | { maxDelayMs?: number; random?: () => number };
}

/** The position row of one event type's loop, when types are delivered apart (reorderTypes). */
const typePositionKey = (consumer: string, type: string) => `${consumer}/${type}`;

/**
 * The in-process durable event log of the embedded runtime: an append-only table (deduplicated by
 * eventId) and, per durable consumer, a stored position and a table of events waiting for a retry.
 * A consumer's position advances only after its batch was handled, so after a crash nothing is lost;
 * what is delivered again is absorbed by the consumer's inbox.
 *
 * The latest events published by this process are also kept in memory (the tail): a consumer that is
 * within it reads from there, one that is behind (after a restart, or far behind) reads the table.
 */
export async function createEmbeddedEventBus(db: Database, options: EmbeddedBusOptions = {}): Promise<EventBus & EventLogReader> {
  await migrate(db, [{ name: '001_event_log.sql', sql: SCHEMA }]);
  const batchSize = options.batchSize ?? 256;
  const pollMs = options.pollMs ?? 200;
  const lingerMs = options.lingerMs ?? 0;
  const backoff = options.backoff ?? ((a: number) => backoffMs(a));
  const tailSize = options.tailSize ?? 20_000;
  const reorder = options.reorderTypes ?? false;
  const reorderDelay = reorder === false ? undefined : { maxDelayMs: 20, random: Math.random, ...(reorder === true ? {} : reorder) };
  // events with seq > tailAfter are all in `tail`, in seq order (only this process appends to the log)
  const tail: Array<{ seq: number; event: IntegrationEvent }> = [];
  let tailAfter = Number((await db.query<{ seq: string }>('SELECT coalesce(max(seq), 0)::text AS seq FROM event_log')).rows[0]!.seq);
  function appendToTail(published: Array<{ seq: number; event: IntegrationEvent }>) {
    for (const e of published.sort((a, b) => a.seq - b.seq)) {
      if (tail.length > 0 && e.seq <= tail[tail.length - 1]!.seq) throw new Error(`event log seq ${e.seq} out of order`);
      tail.push({ seq: e.seq, event: deepFreeze(e.event) }); // every consumer gets this one object: none may change it
    }
    if (tail.length > tailSize) tailAfter = tail.splice(0, tail.length - tailSize / 2).at(-1)!.seq;
  }
  /** The consumer's next events from the tail, or undefined when it is behind the tail (read the table). */
  function fromTail(position: number, types: Set<string>, limit: number) {
    if (position < tailAfter) return undefined;
    let lo = 0;
    let hi = tail.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (tail[mid]!.seq <= position) lo = mid + 1;
      else hi = mid;
    }
    const found: Array<{ seq: number; event: IntegrationEvent }> = [];
    for (let i = lo; i < tail.length && found.length < limit; i++) if (types.has(tail[i]!.event.type)) found.push(tail[i]!);
    return found;
  }
  const loops: Promise<void>[] = [];
  let closed = false;

  /** In-memory view of each consumer loop; the table rows are the durable truth, loaded at subscribe. */
  interface ConsumerState {
    sub: Subscription;
    types: Set<string>;
    /** Its row in consumer_position: the consumer's, or one type's when types are delivered apart. */
    positionKey: string;
    position: number;
    /** Events of its types were published since its last look. */
    dirty: boolean;
    pendingRetries: number;
    wake: () => void;
  }
  const consumers = new Set<ConsumerState>();

  /** One loop for the consumer, or (reorderTypes) one per event type, each starting where the consumer stood. */
  async function consume(sub: Subscription) {
    if (!reorderDelay) return consumeTypes(sub, sub.eventTypes, sub.consumer);
    await Promise.all(sub.eventTypes.map((type) => consumeTypes(sub, [type], typePositionKey(sub.consumer, type))));
  }

  async function consumeTypes(sub: Subscription, types: readonly string[], positionKey: string) {
    await db.query(
      `INSERT INTO consumer_position (consumer, position)
       VALUES ($1, coalesce((SELECT position FROM consumer_position WHERE consumer = $2), 0)) ON CONFLICT DO NOTHING`,
      [positionKey, sub.consumer],
    );
    const position = Number(
      (await db.query<{ position: string }>('SELECT position FROM consumer_position WHERE consumer = $1', [positionKey])).rows[0]!.position,
    );
    const retries = Number(
      (
        await db.query<{ n: string }>(
          'SELECT count(*)::text AS n FROM consumer_retry r JOIN event_log l USING (seq) WHERE r.consumer = $1 AND l.type = ANY($2::text[])',
          [sub.consumer, [...types]],
        )
      ).rows[0]!.n,
    );
    const state: ConsumerState = {
      sub,
      types: new Set(types),
      positionKey,
      position,
      dirty: true,
      pendingRetries: retries,
      wake: () => {},
    };
    consumers.add(state);
    try {
      while (!closed) {
        let handled = 0;
        try {
          handled = await consumeOnce(state);
        } catch (err) {
          state.dirty = true;
          options.onError?.(err, sub.consumer);
        }
        if (handled > 0 || closed) continue;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, pollMs);
          state.wake = () => {
            clearTimeout(t);
            state.wake = () => {};
            // woken by work, not a timer: events published in this turn of the event loop come as one batch
            if (lingerMs > 0) setTimeout(resolve, lingerMs);
            else setImmediate(resolve);
          };
          if (state.dirty) state.wake();
        });
        state.wake = () => {};
      }
    } finally {
      consumers.delete(state);
    }
  }

  async function consumeOnce(state: ConsumerState): Promise<number> {
    const { sub } = state;
    const retries =
      state.pendingRetries > 0
        ? (
            await db.query<{ seq: string; attempt: number; payload: IntegrationEvent }>(
              `SELECT r.seq, r.attempt, l.payload FROM consumer_retry r JOIN event_log l USING (seq)
               WHERE r.consumer = $1 AND r.due_at <= now() AND l.type = ANY($3::text[]) ORDER BY r.seq LIMIT $2`,
              [sub.consumer, batchSize, [...state.types]],
            )
          ).rows
        : [];
    let fresh: Array<{ seq: number; event: IntegrationEvent }> = [];
    if (state.dirty) {
      state.dirty = false;
      fresh =
        fromTail(state.position, state.types, batchSize) ??
        (
          await db.query<{ seq: string; payload: IntegrationEvent }>(
            `SELECT seq, payload FROM event_log WHERE seq > $1 AND type = ANY($2::text[]) ORDER BY seq LIMIT $3`,
            [state.position, [...state.types], batchSize],
          )
        ).rows.map((r) => ({ seq: Number(r.seq), event: r.payload }));
      if (fresh.length === batchSize) state.dirty = true; // more to read
    }
    const batch: Array<Delivery & { seq: number; retry: boolean }> = [
      ...retries.map((r) => ({ seq: Number(r.seq), event: r.payload, attempt: r.attempt + 1, retry: true })),
      ...fresh.map((r) => ({ seq: r.seq, event: r.event, attempt: 1, retry: false })),
    ];
    if (batch.length === 0) return 0;
    if (reorderDelay) await new Promise((resolve) => setTimeout(resolve, reorderDelay.random() * reorderDelay.maxDelayMs));
    let outcomes: Array<'done' | 'retry'>;
    try {
      outcomes = await sub.handle(batch.map(({ event, attempt }) => ({ event, attempt })));
    } catch (err) {
      // as on JetStream: not even a dead letter could be written (the database is down?): all come back, with backoff
      options.onError?.(err, sub.consumer);
      outcomes = batch.map(() => 'retry');
    }
    const newPos = fresh.length ? fresh[fresh.length - 1]!.seq : state.position;
    const now = Date.now();
    let retriesDelta = 0;
    await db.transaction(async (tx) => {
      for (let i = 0; i < batch.length; i++) {
        const d = batch[i]!;
        if (outcomes[i] === 'done') {
          if (d.retry) {
            tx.enqueue('DELETE FROM consumer_retry WHERE consumer = $1 AND seq = $2', [sub.consumer, d.seq]);
            retriesDelta--;
          }
        } else {
          tx.enqueue(
            `INSERT INTO consumer_retry (consumer, seq, attempt, due_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (consumer, seq) DO UPDATE SET attempt = EXCLUDED.attempt, due_at = EXCLUDED.due_at`,
            [sub.consumer, d.seq, d.attempt, new Date(now + backoff(d.attempt)).toISOString()],
          );
          if (!d.retry) retriesDelta++;
        }
      }
      if (newPos !== state.position)
        tx.enqueue('UPDATE consumer_position SET position = $2 WHERE consumer = $1', [state.positionKey, newPos]);
    });
    state.position = newPos;
    state.pendingRetries += retriesDelta;
    // only retries that are not due yet: report nothing handled, so the loop waits
    return fresh.length + retries.length;
  }

  async function append(events: IntegrationEvent[]) {
    const inserted = await db.query<{ seq: string; event_id: string }>(
      `INSERT INTO event_log (event_id, type, correlation_id, occurred_at, payload)
       SELECT (e->>'eventId')::uuid, e->>'type', e->>'correlationId', (e->>'occurredAt')::timestamptz, e
       FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS t(e, i) ORDER BY i
       ON CONFLICT (event_id) DO NOTHING
       RETURNING seq, event_id`,
      [JSON.stringify(events)],
    );
    // what is already in the log (a republish) is not appended again
    const byId = new Map(events.map((e) => [e.eventId, e]));
    appendToTail(inserted.rows.map((r) => ({ seq: Number(r.seq), event: byId.get(r.event_id)! })));
    for (const c of consumers) {
      if (events.some((e) => c.types.has(e.type))) {
        c.dirty = true;
        c.wake();
      }
    }
  }

  // One publish at a time: the tail must grow in seq order, or a consumer could pass a seq that a slower
  // publish appends later. (The database runs them one at a time anyway.)
  const publishing = oneAtATime();

  return {
    publish(events) {
      if (events.length === 0) return Promise.resolve();
      return publishing(() => append(events));
    },
    async subscribe(sub) {
      loops.push(consume(sub));
    },
    async consumerLag({ consumer, eventTypes }) {
      // from the durable position (the type's own, when types are delivered apart); a consumer that never
      // subscribed has none, and nothing is reported for it
      const r = await db.query<{ type: string; pending: string; retrying: string }>(
        `SELECT t.type,
                (SELECT count(*) FROM event_log l WHERE l.seq > coalesce(pt.position, p.position) AND l.type = t.type)::text AS pending,
                (SELECT count(*) FROM consumer_retry r JOIN event_log l USING (seq) WHERE r.consumer = $1 AND l.type = t.type)::text AS retrying
         FROM unnest($2::text[]) AS t(type)
         LEFT JOIN consumer_position p ON p.consumer = $1
         LEFT JOIN consumer_position pt ON pt.consumer = $1 || '/' || t.type
         WHERE coalesce(pt.position, p.position) IS NOT NULL
         ORDER BY t.type`,
        [consumer, [...eventTypes]],
      );
      return r.rows.map(
        (row): ConsumerLag => ({
          consumer,
          eventType: row.type as ConsumerLag['eventType'],
          pending: Number(row.pending),
          retrying: Number(row.retrying),
        }),
      );
    },
    async read({ correlationId, types, after = 0, limit = 10_000 }) {
      const r = await db.query<{ seq: string; payload: IntegrationEvent }>(
        `SELECT seq, payload FROM event_log
         WHERE seq > $1 AND ($2::text IS NULL OR correlation_id = $2) AND ($3::text[] IS NULL OR type = ANY($3::text[]))
         ORDER BY seq LIMIT $4`,
        [after, correlationId ?? null, types ? [...types] : null, limit],
      );
      return r.rows.map((row) => ({ seq: Number(row.seq), event: row.payload }));
    },
    async close() {
      closed = true;
      for (const c of consumers) c.wake();
      await Promise.all(loops);
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
