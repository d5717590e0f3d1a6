import { describe, expect, it } from 'vitest';
import { envelope, type IntegrationEvent, type NewEvent } from '@airline/contracts';
import { sagaTimeline } from '../src/timeline.js';

let n = 0;
const at = (ms: number, event: NewEvent, causationId: string | null = null) =>
  envelope(event, {
    eventId: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    occurredAt: new Date(Date.UTC(2026, 0, 1) + ms).toISOString(),
    correlationId: '7',
    causationId,
  }) as IntegrationEvent;

const summary = {
  reservationId: 7,
  bookingReference: 'ABC234',
  customerId: 3,
  flightId: 1,
  seatQty: 2,
  amount: 400,
  reserveDate: '2024-11-21',
};
const placed = at(0, {
  type: 'ReservationPlaced',
  data: { ...summary, paymentMethod: 'pm_card_visa', cardLast4: '4242', cardBrand: 'visa', holdExpiresAt: '2026-01-01T00:15:00.000Z' },
});
const reserved = at(
  12,
  {
    type: 'SeatsReserved',
    data: {
      reservationId: 7,
      customerId: 3,
      flightId: 1,
      seatQty: 2,
      amount: 400,
      paymentMethod: 'pm_card_visa',
      cardLast4: '4242',
      cardBrand: 'visa',
      remainingSeatsCount: 3,
    },
  },
  placed.eventId,
);
const approved = at(40, { type: 'PaymentApproved', data: { reservationId: 7, paymentId: 1, amount: 400, authorizationCode: 'A1' } });
const confirmed = at(45, { type: 'ReservationConfirmed', data: summary }, approved.eventId);

describe('the saga timeline of a reservation', () => {
  it('lists its events in log order, each with the service that published it and the ms since the start and since the step before', () => {
    const t = sagaTimeline([
      { seq: 9, event: confirmed },
      { seq: 3, event: placed },
      { seq: 5, event: reserved },
      { seq: 8, event: approved },
    ]);
    expect(t.steps.map((s) => [s.seq, s.type, s.service, s.sinceStartMs, s.sincePreviousMs])).toEqual([
      [3, 'ReservationPlaced', 'reservation', 0, null],
      [5, 'SeatsReserved', 'flight', 12, 12],
      [8, 'PaymentApproved', 'payment', 40, 28],
      [9, 'ReservationConfirmed', 'reservation', 45, 5],
    ]);
    expect(t.totalMs).toBe(45);
    expect(t.steps[1]).toMatchObject({
      eventId: reserved.eventId,
      causationId: placed.eventId,
      occurredAt: reserved.occurredAt,
      data: reserved.data,
    });
  });

  it('is empty for a saga whose events are not in the log yet', () =>
    expect(sagaTimeline([])).toEqual({ traceId: null, steps: [], totalMs: 0 }));

  it('names the trace of each step and of the booking (its first traced event); untraced events have none', () => {
    const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const traced = (e: IntegrationEvent, span: string) => ({ ...e, traceparent: `00-${trace}-${span}-01` }) as IntegrationEvent;
    const t = sagaTimeline([
      { seq: 3, event: placed },
      { seq: 5, event: traced(reserved, '00f067aa0ba902b7') },
      { seq: 8, event: traced(approved, '00f067aa0ba902b8') },
    ]);
    expect(t.traceId).toBe(trace);
    expect(t.steps.map((s) => s.traceId)).toEqual([null, trace, trace]);
    expect(sagaTimeline([{ seq: 1, event: placed }]).traceId).toBeNull();
  });
});
