// A reservation's saga as GET /reservations/:id/timeline gives it (read from the event log).
import type { Static } from '@sinclair/typebox';
import type { TimelineView } from '../../services/reservation/src/timeline.ts';

export type SagaTimeline = Static<typeof TimelineView>;
export type TimelineStep = SagaTimeline['steps'][number];

const SHOWN_FIELDS = ['seatQty', 'amount', 'reason', 'previousStatus', 'remainingSeatsCount', 'authorizationCode', 'paymentId'];

/** The facts of a step worth a glance (`seatQty 2 · amount 600`), leaving out ids every step repeats. */
export function stepFacts(step: Pick<TimelineStep, 'data'>): string {
  return SHOWN_FIELDS.filter((k) => step.data[k] !== undefined && step.data[k] !== null)
    .map((k) => `${k} ${String(step.data[k])}`)
    .join(' · ');
}
