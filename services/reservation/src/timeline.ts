// The saga view (SPEC "Beyond the seeds"): every event of one reservation's saga, across services, in
// log order, with the time each step took. Read from the event log through the EventLogReader port
// (the embedded log or the JetStream stream), never from other services' databases.
import { Type } from '@sinclair/typebox';
import { eventRoutes, upcastEvent, type IntegrationEvent } from '@airline/contracts';
import type { Database } from '@airline/database';
import { HttpProblem, notFound, type HttpApp } from '@airline/http';
import type { EventLogReader } from '@airline/messaging';
import { traceIdOf } from '@airline/telemetry';
import { findReservation } from './repository.js';

export interface TimelineStep {
  seq: number;
  type: IntegrationEvent['type'];
  /** The service that published it. */
  service: string;
  eventId: string;
  causationId: string | null;
  /** The trace the event was written in (null when its producer did not trace). */
  traceId: string | null;
  occurredAt: string;
  /** Since the first event of the saga. */
  sinceStartMs: number;
  /** Since the step before (null for the first). */
  sincePreviousMs: number | null;
  data: IntegrationEvent['data'];
}

export interface Timeline {
  /** The booking's trace (that of its first traced event): look it up in the trace viewer. Null when not traced. */
  traceId: string | null;
  steps: TimelineStep[];
  /** First to last event (0 for one event or none). */
  totalMs: number;
}

/** The timeline of a saga's events as the log holds them (ascending seq). Pure. */
export function sagaTimeline(entries: Array<{ seq: number; event: IntegrationEvent }>): Timeline {
  const ordered = [...entries].sort((a, b) => a.seq - b.seq);
  const start = ordered.length ? Date.parse(ordered[0]!.event.occurredAt) : 0;
  let previous: number | null = null;
  const steps = ordered.map(({ seq, event }) => {
    const at = Date.parse(event.occurredAt);
    const step: TimelineStep = {
      seq,
      type: event.type,
      service: eventRoutes[event.type].producer,
      eventId: event.eventId,
      causationId: event.causationId,
      traceId: traceIdOf(event.traceparent),
      occurredAt: event.occurredAt,
      sinceStartMs: at - start,
      sincePreviousMs: previous === null ? null : at - previous,
      data: event.data,
    };
    previous = at;
    return step;
  });
  const last = ordered.length ? Date.parse(ordered[ordered.length - 1]!.event.occurredAt) : start;
  return { traceId: steps.find((s) => s.traceId !== null)?.traceId ?? null, steps, totalMs: last - start };
}

export const TimelineView = Type.Object({
  reservationId: Type.Integer(),
  bookingReference: Type.String(),
  status: Type.String(),
  cancelReason: Type.Union([Type.String(), Type.Null()]),
  traceId: Type.Union([Type.String({ description: 'the trace of the booking (OpenTelemetry), null when tracing was off' }), Type.Null()]),
  totalMs: Type.Integer(),
  steps: Type.Array(
    Type.Object({
      seq: Type.Integer(),
      type: Type.String(),
      service: Type.String(),
      eventId: Type.String(),
      causationId: Type.Union([Type.String(), Type.Null()]),
      traceId: Type.Union([Type.String(), Type.Null()]),
      occurredAt: Type.String(),
      sinceStartMs: Type.Integer(),
      sincePreviousMs: Type.Union([Type.Integer(), Type.Null()]),
      data: Type.Record(Type.String(), Type.Unknown()),
    }),
  ),
});
const Problem = Type.Object({ type: Type.String(), title: Type.String(), status: Type.Integer(), detail: Type.Optional(Type.String()) });

export function timelineRoutes(app: HttpApp, db: Database, eventLog: EventLogReader | undefined) {
  app.get(
    '/reservations/:id/timeline',
    {
      schema: {
        tags: ['reservations'],
        summary: 'The saga of a reservation: every event across services, in order, with the ms between steps',
        params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) }),
        response: { 200: TimelineView, 404: Problem, 503: Problem },
      },
    },
    async (req) => {
      const reservation = await findReservation(db, req.params.id);
      if (!reservation) throw notFound(`reservation ${req.params.id}`);
      if (!eventLog)
        throw new HttpProblem(503, 'Event log not readable', 'this deployment gives the reservation service no reader of the event log');
      // a JetStream stream may still hold events from before card tokenisation: never answer their card numbers
      const logged = await eventLog.read({ correlationId: String(reservation.id) });
      const timeline = sagaTimeline(logged.map(({ seq, event }) => ({ seq, event: upcastEvent(event) })));
      return {
        reservationId: reservation.id,
        bookingReference: reservation.bookingReference,
        status: reservation.status,
        cancelReason: reservation.cancelReason,
        ...timeline,
      };
    },
  );
}
