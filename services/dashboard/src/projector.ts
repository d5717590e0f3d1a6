// Applies events to the read models in the caller's transaction: the live consumer (behind its inbox)
// and the rebuild (straight from the log) use this same code. There is one projection per read model
// (read-models/); this file only routes each event to those that read it, under one lock. Table names
// are unqualified on purpose: the rebuild points search_path at a fresh schema and projects into it.
import type { EventType, IntegrationEvent } from '@airline/contracts';
import type { Sql, Tx, UnitOfWork } from '@airline/database';
import { sagaSteps } from './projections.js';
import { customerInfosProjection } from './read-models/customer-infos.js';
import { flightBoardProjection } from './read-models/flight-board.js';
import type { ReadModelProjection } from './read-models/projection.js';
import { reservationHistoryProjection } from './read-models/reservation-history.js';

/** Every event the dashboard reads. */
export const dashboardEventTypes = ['FlightRegistered', 'FlightCancelled', ...sagaSteps] as const satisfies readonly EventType[];

/**
 * The read models, in the order each event is applied to them: the history first, since it reads a
 * reservation's summary as it was before the event (to learn whether the event made it known).
 */
const readModels = [reservationHistoryProjection, customerInfosProjection, flightBoardProjection] as const;
export const projections: readonly ReadModelProjection[] = readModels;

// every event type is read by some projection: a new one cannot be forgotten
type Unread = Exclude<EventType, (typeof readModels)[number]['eventTypes'][number]>;
const everyTypeRead: [Unread] extends [never] ? true : Unread = true;
void everyTypeRead;

// One projection transaction at a time (per dashboard database): an event touches rows of more than
// one read model (its reservation, customer and flight), so concurrent batches — replicas, or the
// JetStream adapter's loop per event type — could lock them in opposite orders and deadlock; and two
// events of one reservation must not both see it as new. A read model has no need for parallel writers.
const locked = new WeakSet<Sql>();
export function lockProjection(tx: Tx) {
  if (locked.has(tx)) return; // once per transaction: the lock is held until it ends
  tx.enqueue('SELECT pg_advisory_xact_lock(815085)');
  locked.add(tx);
}

/**
 * The rows a batch will touch, one statement per table (the consumer's prefetch), read into the batch's
 * unit of work under the lock project() takes.
 */
export async function prefetchProjection(uow: UnitOfWork, events: IntegrationEvent[]) {
  if (!events.some((e) => 'reservationId' in e.data)) return;
  lockProjection(uow.tx);
  for (const p of projections) await p.prefetch?.(uow, events);
}

/**
 * Applies one event to every read model that reads it, its writes staged in the unit of work (sent when
 * whoever commits flushes it: the consumer does, before COMMIT). Safe to call twice with the same event.
 */
export async function project(uow: UnitOfWork, event: IntegrationEvent): Promise<void> {
  lockProjection(uow.tx);
  let read = false;
  for (const p of projections) if (await p.project(uow, event)) read = true;
  if (!read) throw new Error(`the dashboard does not read ${JSON.stringify(event)}`);
}
