// A reservation's saga as GET /reservations/:id/timeline gives it (read from the event log).
export interface TimelineStep {
  seq: number;
  type: string;
  /** the service that published the event */
  service: string;
  eventId: string;
  causationId: string | null;
  occurredAt: string;
  sinceStartMs: number;
  /** null for the first step */
  sincePreviousMs: number | null;
  data: Record<string, unknown>;
}

export interface SagaTimeline {
  reservationId: number;
  bookingReference: string;
  status: string;
  cancelReason: string | null;
  totalMs: number;
  steps: TimelineStep[];
}

const SHOWN_FIELDS = ['seatQty', 'amount', 'reason', 'previousStatus', 'remainingSeatsCount', 'authorizationCode', 'paymentId'];

/** The facts of a step worth a glance (`seatQty 2 · amount 600`), leaving out ids every step repeats. */
export function stepFacts(step: Pick<TimelineStep, 'data'>): string {
  return SHOWN_FIELDS.filter((k) => step.data[k] !== undefined && step.data[k] !== null)
    .map((k) => `${k} ${String(step.data[k])}`)
    .join(' · ');
}
