// reservationHistory (seeds 002/003): one line per event of a booking, in plain words. A line whose
// event does not name the customer takes it from the reservation's summary (customerInfos); when the
// event overtook the booking's first status event, the line waits with no customer until that event
// makes the reservation known.
import { writeKind, type UnitOfWork } from '@airline/database';
import { historyEntry, sagaStepRank, sagaSteps, type SagaEvent } from '../projections.js';
import { findSummary } from './customer-infos.js';
import { defineProjection } from './projection.js';

interface HistoryRow {
  event_id: string;
  reservation_id: number;
  customer_id: number | null;
  type: string;
  step: number;
  occurred_at: string;
  summary: string;
  data: unknown;
}

/** One line per event (a line already written stays as it is). */
const lines = writeKind<HistoryRow>(
  'reservation history lines',
  `INSERT INTO reservation_history (event_id, reservation_id, customer_id, type, step, occurred_at, summary, data)
   SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(event_id uuid, reservation_id integer, customer_id integer, type text, step integer, occurred_at timestamptz, summary text, data jsonb)
   ON CONFLICT (event_id) DO NOTHING`,
);

/**
 * Reservations that became known: their earlier lines learn the customer. Staged after a line (every
 * apply stages its line first), so flushed after the lines, which may be among those waiting.
 */
const newlyKnown = writeKind<{ reservation_id: number; customer_id: number }>(
  'reservation history customers',
  `UPDATE reservation_history h SET customer_id = x.customer_id
   FROM jsonb_to_recordset($1::jsonb) AS x(reservation_id integer, customer_id integer)
   WHERE h.reservation_id = x.reservation_id AND h.customer_id IS NULL`,
  (k) => k.reservation_id,
);

const isStatusEvent = (event: SagaEvent) =>
  event.type === 'ReservationPlaced' || event.type === 'ReservationConfirmed' || event.type === 'ReservationCancelled';

/** Runs before customerInfos applies the same event: the summary it reads is the one from before the event. */
async function apply(uow: UnitOfWork, event: SagaEvent) {
  const needsSummary = isStatusEvent(event) || !('customerId' in event.data) || !('currency' in event.data && event.data.currency);
  const summary = needsSummary ? await findSummary(uow, event.data.reservationId) : undefined;
  const known = 'customerId' in event.data ? null : (summary?.customerId ?? null);
  const entry = historyEntry(event, known, summary?.currency);
  uow.stage(lines, {
    event_id: entry.eventId,
    reservation_id: entry.reservationId,
    customer_id: entry.customerId,
    type: entry.type,
    step: sagaStepRank(entry.type),
    occurred_at: entry.occurredAt,
    summary: entry.summary,
    data: entry.data,
  });
  // a status event makes its reservation known, with its customer
  if (isStatusEvent(event) && !summary && 'customerId' in event.data)
    uow.stage(newlyKnown, { reservation_id: event.data.reservationId, customer_id: event.data.customerId });
}

export const reservationHistoryProjection = defineProjection<SagaEvent['type']>({
  name: 'reservationHistory',
  eventTypes: sagaSteps,
  // the summaries it reads are those customerInfos prefetches
  apply,
});
