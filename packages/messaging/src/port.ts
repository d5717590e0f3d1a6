import type { EventType, IntegrationEvent } from '@airline/contracts';

/** One event handed to a consumer; `attempt` counts deliveries of this event to this consumer, from 1. */
export interface Delivery {
  event: IntegrationEvent;
  attempt: number;
}

/** 'done' acknowledges the event; 'retry' asks for it again later, with backoff. */
export type DeliveryOutcome = 'done' | 'retry';

export interface Subscription {
  /** Durable consumer name: every replica of a service subscribes with the same name and shares the work. */
  consumer: string;
  eventTypes: readonly EventType[];
  /** Handles a batch; returns one outcome per delivery, in order. */
  handle(batch: Delivery[]): Promise<DeliveryOutcome[]>;
}

/**
 * How far one durable consumer is behind the log, for one event type it takes (metrics, alerts, KEDA).
 * Every replica of a consumer sees the same numbers: they describe the durable consumer, not a replica.
 */
export interface ConsumerLag {
  consumer: string;
  eventType: EventType;
  /** Events in the log that have not been delivered to the consumer yet. */
  pending: number;
  /**
   * Events delivered and failed at least once, not yet acknowledged: waiting for their retry (embedded:
   * rows of consumer_retry; JetStream: the consumer's num_redelivered).
   */
  retrying: number;
}

/** The messaging port: at-least-once delivery of integration events to durable consumers. */
export interface EventBus {
  /** Publishes events; publishing the same eventId twice is harmless (deduplicated by the bus). */
  publish(events: IntegrationEvent[]): Promise<void>;
  subscribe(subscription: Subscription): Promise<void>;
  /** Where a durable consumer stands, per event type (one entry per type the broker knows a position for). */
  consumerLag(subscription: Pick<Subscription, 'consumer' | 'eventTypes'>): Promise<ConsumerLag[]>;
  close(): Promise<void>;
}

/** Read access to the event log (replay, saga timeline). */
export interface EventLogReader {
  read(query: {
    correlationId?: string;
    types?: readonly EventType[];
    after?: number;
    limit?: number;
  }): Promise<Array<{ seq: number; event: IntegrationEvent }>>;
}

/** Exponential backoff with full jitter, capped. */
export function backoffMs(attempt: number, baseMs = 100, maxMs = 30_000, random = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
