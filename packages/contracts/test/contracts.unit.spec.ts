import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildAsyncApiDocument, envelope, eventRoutes, eventTypes, InvalidEventError, parseEvent } from '../src/index.js';

const meta = {
  eventId: '6f1c1b7e-6a8e-4c43-9f39-2a1d4c7b9e10',
  occurredAt: '2026-01-01T00:00:00.000Z',
  correlationId: '7',
  causationId: null,
};

describe('integration event contracts', () => {
  it('accept a well-formed event in its envelope', () => {
    const e = envelope(
      { type: 'SeatsSoldOut', data: { reservationId: 7, flightId: 1, seatQty: 3, remainingSeatsCount: 2, reason: 'SOLD_OUT' } },
      meta,
    );
    expect(parseEvent(JSON.parse(JSON.stringify(e)))).toEqual({ ...meta, version: 1, type: 'SeatsSoldOut', data: e.data });
  });
  it('reject a missing field, naming it', () => {
    const bad = {
      ...meta,
      version: 1,
      type: 'SeatsSoldOut',
      data: { flightId: 1, seatQty: 3, remainingSeatsCount: 2, reason: 'SOLD_OUT' },
    };
    expect(() => parseEvent(bad)).toThrow(/reservationId/);
  });
  it('reject an unknown type and a wrong envelope', () => {
    expect(() => parseEvent({ ...meta, version: 1, type: 'Nope', data: {} })).toThrow(InvalidEventError);
    expect(() =>
      parseEvent({ ...meta, eventId: 'not-a-uuid', version: 1, type: 'FlightCancelled', data: { flightId: 1, flightCode: 'A' } }),
    ).toThrow(/eventId/);
  });
  it('route every event type somewhere', () => {
    expect(Object.keys(eventRoutes).sort()).toEqual([...eventTypes].sort());
  });
  it('are published as the checked-in AsyncAPI document (run `npm run asyncapi` after changing a schema)', () => {
    const checkedIn = JSON.parse(readFileSync(new URL('../../../docs/asyncapi.json', import.meta.url), 'utf8'));
    expect(checkedIn).toEqual(JSON.parse(JSON.stringify(buildAsyncApiDocument())));
    expect(Object.keys(checkedIn.components.messages).sort()).toEqual([...eventTypes].sort());
  });
});
