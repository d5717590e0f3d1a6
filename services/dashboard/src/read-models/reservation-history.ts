// reservationHistory (seeds 002/003): one line per event of a booking, in plain words. A line whose
// event does not name the customer takes it from the reservation's summary (customerInfos); when the
// event overtook the booking's first status event, the line waits with no customer until that event
// makes the reservation known.
import type { Tx } from '@airline/database';
import { historyEntry, sagaStepRank, sagaSteps, type SagaEvent } from '../projections.js';
import { findSummary } from './customer-infos.js';
import { asJson, defineProjection, gatheredWrites } from './projection.js';

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

const writes = gatheredWrites(
  () => ({
    lines: [] as HistoryRow[],
    /** reservations that became known: their earlier lines learn the customer */
    newlyKnown: new Map<number, number>(),
  }),
  (tx, g) => {
    if (g.lines.length > 0) {
      tx.enqueue(
        `INSERT INTO reservation_history (event_id, reservation_id, customer_id, type, step, occurred_at, summary, data)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(event_id uuid, reservation_id integer, customer_id integer, type text, step integer, occurred_at timestamptz, summary text, data jsonb)
         ON CONFLICT (event_id) DO NOTHING`,
        asJson(g.lines),
      );
    }
    // after the lines above, which may be among those waiting
    if (g.newlyKnown.size > 0) {
      tx.enqueue(
        `UPDATE reservation_history h SET customer_id = x.customer_id
         FROM jsonb_to_recordset($1::jsonb) AS x(reservation_id integer, customer_id integer)
         WHERE h.reservation_id = x.reservation_id AND h.customer_id IS NULL`,
        asJson([...g.newlyKnown].map(([reservation_id, customer_id]) => ({ reservation_id, customer_id }))),
      );
    }
  },
);

const isStatusEvent = (event: SagaEvent) =>
  event.type === 'ReservationPlaced' || event.type === 'ReservationConfirmed' || event.type === 'ReservationCancelled';

/** Runs before customerInfos applies the same event: the summary it reads is the one from before the event. */
async function apply(tx: Tx, event: SagaEvent) {
  const needsSummary = isStatusEvent(event) || !('customerId' in event.data) || !('currency' in event.data && event.data.currency);
  const summary = needsSummary ? await findSummary(tx, event.data.reservationId) : undefined;
  const known = 'customerId' in event.data ? null : (summary?.customerId ?? null);
  const entry = historyEntry(event, known, summary?.currency);
  const g = writes.of(tx);
  g.lines.push({
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
  if (isStatusEvent(event) && !summary && 'customerId' in event.data) g.newlyKnown.set(event.data.reservationId, event.data.customerId);
}

export const reservationHistoryProjection = defineProjection<SagaEvent['type']>({
  name: 'reservationHistory',
  eventTypes: sagaSteps,
  // the summaries it reads are those customerInfos prefetches
  apply,
  flush: writes.flush,
});
