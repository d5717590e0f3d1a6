import { CONTRACT_VERSION } from './envelope.js';
import type { EventData, EventOfType, EventType } from './events.js';

/** What a domain decision yields: an event without its transport identity. */
export type NewEvent<T extends EventType = EventType> = { [K in T]: { type: K; data: EventData<K> } }[T];

export interface EventMetadata {
  eventId: string;
  occurredAt: string;
  correlationId: string;
  causationId: string | null;
  /** The W3C traceparent of the span the event is written in (tracing on only). */
  traceparent?: string;
}

/** Wraps a domain event in the envelope; ids and time are given, never read from the clock here. */
export function envelope<T extends EventType>(event: NewEvent<T>, meta: EventMetadata): EventOfType<T> {
  const { traceparent, ...ids } = meta;
  return {
    ...ids,
    version: CONTRACT_VERSION,
    type: event.type,
    ...(traceparent ? { traceparent } : {}),
    data: event.data,
  } as unknown as EventOfType<T>;
}
