// What one read model's projection looks like. Each projection reads a few event types and stages its
// writes in the unit of work of the transaction, keyed by row: a batch of events costs one statement per
// table at flush, not several per event. It reads back what it staged (the unit of work knows the rows
// it wrote), so the result is the same as writing event by event.
import type { EventType, IntegrationEvent } from '@airline/contracts';
import type { UnitOfWork } from '@airline/database';

export type EventOf<T extends EventType> = Extract<IntegrationEvent, { type: T }>;

export interface Projection<T extends EventType = EventType> {
  /** The read model it keeps, as the dashboard's routes name it. */
  readonly name: string;
  readonly eventTypes: readonly T[];
  /** Loads into the unit of work, in one statement per table, the rows a batch of events will touch (the consumer's prefetch). */
  prefetch?(uow: UnitOfWork, events: IntegrationEvent[]): Promise<void>;
  /** Applies one event; its writes are staged in the unit of work (sent when it is flushed). Safe to call twice with the same event. */
  apply(uow: UnitOfWork, event: EventOf<T>): Promise<void> | void;
}

/** A projection as the projector routes events to it: `project` applies an event it reads, and says whether it did. */
export interface ReadModelProjection<T extends EventType = EventType> extends Omit<Projection<T>, 'apply'> {
  project(uow: UnitOfWork, event: IntegrationEvent): Promise<boolean>;
}

export function defineProjection<T extends EventType>(projection: Projection<T>): ReadModelProjection<T> {
  const reads = (event: IntegrationEvent): event is EventOf<T> => (projection.eventTypes as readonly EventType[]).includes(event.type);
  return {
    ...projection,
    async project(uow, event) {
      if (!reads(event)) return false;
      await projection.apply(uow, event);
      return true;
    },
  };
}
