// Routing of page paths, the saga timeline's step timings and the mileage ledger's wording.
import { describe, expect, it } from 'vitest';
import { matchPath } from '../src/router';
import { timelineSteps } from '../src/timeline';
import { ledgerRows } from '../src/mileage';

describe('matchPath', () => {
  it('binds named segments and rejects other shapes', () => {
    expect(matchPath('/my/bookings/:id', '/my/bookings/12')).toEqual({ id: '12' });
    expect(matchPath('/my/bookings/:id', '/my/bookings')).toBeNull();
    expect(matchPath('/', '/')).toEqual({});
    expect(matchPath('/staff/dashboard', '/staff/dashboard/')).toEqual({});
  });
});

describe('timelineSteps', () => {
  it('gives each step its time since the previous one and since the start', () => {
    const steps = timelineSteps([
      { eventId: 'a', type: 'ReservationPlaced', occurredAt: '2026-01-01T00:00:00.000Z', service: 'reservation' },
      { eventId: 'b', type: 'SeatsReserved', occurredAt: '2026-01-01T00:00:00.040Z', service: 'flight' },
      { eventId: 'c', type: 'PaymentApproved', occurredAt: '2026-01-01T00:00:00.250Z', service: 'payment' },
    ]);
    expect(steps.map((s) => [s.type, s.service, s.sincePrevious, s.sinceStart])).toEqual([
      ['ReservationPlaced', 'reservation', null, 0],
      ['SeatsReserved', 'flight', 40, 40],
      ['PaymentApproved', 'payment', 210, 250],
    ]);
  });
});

describe('ledgerRows', () => {
  it('lists the newest entry first, accruals as earned and reversals as taken back', () => {
    const base = { customerId: 1, reservationId: 5, fare: 400, rateBasisPoints: 1000, eventId: 'e', occurredAt: '2026-01-01T00:00:00Z' };
    const rows = ledgerRows([
      { ...base, id: 1, kind: 'ACCRUAL', miles: 40 },
      { ...base, id: 2, kind: 'REVERSAL', miles: -40 },
    ]);
    expect(rows.map((r) => [r.key, r.miles, r.description])).toEqual([
      [2, -40, 'Taken back: the booking was cancelled'],
      [1, 40, 'Earned on a fare of 400 (10 %)'],
    ]);
  });
});
