// Routing of page paths, the saga timeline's step timings and the mileage ledger's wording.
import { describe, expect, it } from 'vitest';
import { matchPath } from '../src/router';
import { stepFacts } from '../src/timeline';
import { ledgerRows } from '../src/mileage';

describe('matchPath', () => {
  it('binds named segments and rejects other shapes', () => {
    expect(matchPath('/my/bookings/:id', '/my/bookings/12')).toEqual({ id: '12' });
    expect(matchPath('/my/bookings/:id', '/my/bookings')).toBeNull();
    expect(matchPath('/', '/')).toEqual({});
    expect(matchPath('/staff/dashboard', '/staff/dashboard/')).toEqual({});
  });
});

describe('stepFacts', () => {
  it('shows what a saga step decided, without the ids every step repeats', () => {
    expect(stepFacts({ data: { reservationId: 1, customerId: 2, seatQty: 2, amount: 600 } })).toBe('seatQty 2 · amount 600');
    expect(stepFacts({ data: { reservationId: 1, reason: 'card_declined' } })).toBe('reason card_declined');
    expect(stepFacts({ data: { reservationId: 1 } })).toBe('');
  });
});

describe('ledgerRows', () => {
  it('lists the newest entry first, accruals as earned and reversals as taken back', () => {
    const base = {
      customerId: 1,
      reservationId: 5,
      fare: 400,
      currency: 'KRW',
      rateBasisPoints: 1000,
      eventId: 'e',
      occurredAt: '2026-01-01T00:00:00Z',
    };
    const rows = ledgerRows([
      { ...base, id: 1, kind: 'ACCRUAL', miles: 40 },
      { ...base, id: 2, kind: 'REVERSAL', miles: -40 },
    ]);
    expect(rows.map((r) => [r.key, r.miles, r.description])).toEqual([
      [2, -40, 'Taken back: the booking was cancelled'],
      [1, 40, 'Earned on a fare of ₩400 (10 %)'], // money as everywhere (issue 14)
    ]);
  });

  it('shows each fare in the currency the ledger states', () => {
    const [row] = ledgerRows([
      {
        id: 3,
        customerId: 1,
        reservationId: 6,
        fare: 12_050,
        currency: 'EUR',
        rateBasisPoints: 1000,
        eventId: 'e',
        occurredAt: '2026-01-01T00:00:00Z',
        kind: 'ACCRUAL',
        miles: 1_205,
      },
    ]);
    expect(row?.description).toBe('Earned on a fare of €120.50 (10 %)');
  });
});
