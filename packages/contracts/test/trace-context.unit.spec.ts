// The envelope's optional W3C traceparent: what a traced producer stamps, a consumer accepts; an event
// without one (an untraced producer, or written before) is as valid as before; a malformed one is refused.
import { describe, expect, it } from 'vitest';
import { envelope, InvalidEventError, parseEvent, type NewEvent } from '../src/index.js';

const soldOut: NewEvent = {
  type: 'SeatsSoldOut',
  data: { reservationId: 7, flightId: 1, seatQty: 2, remainingSeatsCount: 1, reason: 'SOLD_OUT', flightSeq: 3 },
} as NewEvent;
const meta = {
  eventId: '00000000-0000-4000-8000-000000000001',
  occurredAt: '2026-01-01T00:00:00.000Z',
  correlationId: '7',
  causationId: null,
};
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('trace context in the event envelope', () => {
  it('is carried when given, and left out when not', () => {
    expect(parseEvent(envelope(soldOut, { ...meta, traceparent: TRACEPARENT }))).toMatchObject({ traceparent: TRACEPARENT });
    const untraced = parseEvent(envelope(soldOut, meta));
    expect('traceparent' in untraced).toBe(false);
  });

  it.each([
    '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7',
    '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
    'traceparent',
    '',
  ])('refuses %j, naming the field', (bad) => {
    const raw = { ...envelope(soldOut, meta), traceparent: bad };
    expect(() => parseEvent(raw)).toThrow(InvalidEventError);
    expect(() => parseEvent(raw)).toThrow(/^invalid SeatsSoldOut event: \/traceparent: /);
  });
});
