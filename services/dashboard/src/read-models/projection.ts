// What one read model's projection looks like. Each projection reads a few event types, gathers its
// writes for the transaction, and sends them as one statement per table (flush): a batch of events
// costs a handful of statements, not several per event. It reads back what it gathered (its own rows
// are cached for the transaction), so the result is the same as writing event by event.
import type { EventType, IntegrationEvent } from '@airline/contracts';
import { perTransaction, type Tx } from '@airline/database';

export type EventOf<T extends EventType> = Extract<IntegrationEvent, { type: T }>;

export interface Projection<T extends EventType = EventType> {
  /** The read model it keeps, as the dashboard's routes name it. */
  readonly name: string;
  readonly eventTypes: readonly T[];
  /** Reads, in one statement per table, the rows a batch of events will touch (the consumer's prefetch). */
  prefetch?(tx: Tx, events: IntegrationEvent[]): Promise<void>;
  /** Applies one event; its writes are gathered, and flushed before COMMIT at the latest. Safe to call twice with the same event. */
  apply(tx: Tx, event: EventOf<T>): Promise<void> | void;
  /** Sends what apply gathered in this transaction, now. */
  flush(tx: Tx): void;
}

/** A projection as the projector routes events to it: `project` applies an event it reads, and says whether it did. */
export interface ReadModelProjection<T extends EventType = EventType> extends Omit<Projection<T>, 'apply'> {
  project(tx: Tx, event: IntegrationEvent): Promise<boolean>;
}

export function defineProjection<T extends EventType>(projection: Projection<T>): ReadModelProjection<T> {
  const reads = (event: IntegrationEvent): event is EventOf<T> => (projection.eventTypes as readonly EventType[]).includes(event.type);
  return {
    ...projection,
    async project(tx, event) {
      if (!reads(event)) return false;
      await projection.apply(tx, event);
      return true;
    },
  };
}

/**
 * A projection's writes gathered for one transaction: `of` gives them (and makes sure they are flushed
 * before COMMIT), `flush` sends them now through `write` and starts afresh.
 */
export function gatheredWrites<G>(init: () => G, write: (tx: Tx, gathered: G) => void) {
  const inTx = perTransaction(() => ({ gathered: init(), flushAtCommit: false }));
  const flush = (tx: Tx) => {
    const state = inTx.of(tx);
    write(tx, state.gathered);
    state.gathered = init();
  };
  return {
    of(tx: Tx): G {
      const state = inTx.of(tx);
      if (!state.flushAtCommit) {
        state.flushAtCommit = true;
        tx.beforeCommit(() => flush(tx));
      }
      return state.gathered;
    },
    flush,
  };
}

/** Rows as one JSON parameter ($1), for jsonb_to_recordset. */
export const asJson = (rows: unknown[]) => [JSON.stringify(rows)];
