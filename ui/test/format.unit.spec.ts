// What the UI says about a booking, in words, and the arithmetic behind the staff pages.
import { describe, expect, it } from 'vitest';
import {
  activeBookings,
  bucketCount,
  bucketOutcomes,
  cancelReasonText,
  chooseBucket,
  filterFlights,
  formatDate,
  formatDuration,
  statusText,
} from '../src/format';
import type { Flight } from '../src/types';

describe('a cancelled booking says why, in plain words', () => {
  it.each([
    ['SOLD_OUT', null, 'sold out'],
    ['PAYMENT_DECLINED', 'card_declined', 'payment declined: the card was declined'],
    ['PAYMENT_DECLINED', 'insufficient_funds', 'payment declined: not enough funds on the card'],
    ['PAYMENT_DECLINED', null, 'payment declined'],
    ['PAYMENT_TIMEOUT', null, 'payment not completed in time'],
    ['CUSTOMER', null, 'cancelled by you'],
    ['FLIGHT_CANCELLED', null, 'the airline cancelled the flight'],
  ])('%s (%s) → "%s"', (reason, decline, words) => {
    expect(cancelReasonText(reason, decline)).toBe(words);
  });

  it('staff read "cancelled by the customer"; an unknown code is still readable', () => {
    expect(cancelReasonText('CUSTOMER', null, 'staff')).toBe('cancelled by the customer');
    expect(cancelReasonText('SOMETHING_NEW')).toBe('something new');
  });

  it('the status line joins status and reason', () => {
    expect(statusText({ status: 'CANCELED', cancelReason: 'SOLD_OUT' })).toBe('Cancelled — sold out'); // one spelling in text (issue 14)
    expect(statusText({ status: 'CONFIRMED', cancelReason: null })).toBe('Confirmed');
    expect(statusText({ status: 'PENDING', cancelReason: null })).toBe('Pending');
  });
});

describe('cancelling a flight cancels its active bookings', () => {
  it('counts PENDING and CONFIRMED bookings and their seats, not CANCELED ones', () => {
    const list = [
      { status: 'CONFIRMED' as const, seatQty: 2 },
      { status: 'PENDING' as const, seatQty: 1 },
      { status: 'CANCELED' as const, seatQty: 5 },
    ];
    expect(activeBookings(list)).toEqual({ bookings: 2, seats: 3 });
    expect(activeBookings([])).toEqual({ bookings: 0, seats: 0 });
  });
});

describe('flight search', () => {
  const flight = (
    id: number,
    flightCode: string,
    takeoffDate: string,
    remainingSeatsCount: number,
    status: Flight['status'] = 'SCHEDULED',
  ): Flight => ({
    id,
    flightCode,
    takeoffDate,
    cost: 100,
    currency: 'KRW',
    capacity: 10,
    remainingSeatsCount,
    status,
  });
  const flights = [
    flight(1, 'KE081', '2026-12-24', 3),
    flight(2, 'OZ102', '2026-12-26', 0),
    flight(3, 'KE085', '2027-01-02', 5, 'CANCELLED'),
  ];

  it('matches the code case-insensitively, from a day on, and hides full or cancelled flights when asked', () => {
    expect(filterFlights(flights, { text: 'ke', from: '', withSeatsOnly: false }).map((f) => f.id)).toEqual([1, 3]);
    expect(filterFlights(flights, { text: '', from: '2026-12-25', withSeatsOnly: false }).map((f) => f.id)).toEqual([2, 3]);
    expect(filterFlights(flights, { text: '', from: '', withSeatsOnly: true }).map((f) => f.id)).toEqual([1]);
  });
});

describe('bookings over time', () => {
  it('counts each event in the bucket of its time and ignores what is outside the window', () => {
    const minute = 60_000;
    const now = 10 * minute + 30_000;
    const buckets = bucketOutcomes(
      [
        { at: 10 * minute + 1, kind: 'placed' },
        { at: 10 * minute + 2, kind: 'confirmed' },
        { at: 9 * minute, kind: 'placed' },
        { at: 9 * minute + 5, kind: 'canceled' },
        { at: 2 * minute, kind: 'placed' }, // before the window of 3 buckets
      ],
      now,
      minute,
      3,
    );
    expect(buckets).toEqual([
      { start: 8 * minute, placed: 0, confirmed: 0, canceled: 0 },
      { start: 9 * minute, placed: 1, confirmed: 0, canceled: 1 },
      { start: 10 * minute, placed: 1, confirmed: 1, canceled: 0 },
    ]);
  });

  it('chooses a readable bucket size for the span shown', () => {
    expect(chooseBucket(60_000, 24)).toBe(5_000);
    expect(chooseBucket(10_000, 24)).toBe(1_000);
    expect(chooseBucket(3 * 60 * 60_000, 24)).toBe(15 * 60_000);
    expect(chooseBucket(365 * 24 * 60 * 60_000, 24)).toBe(24 * 60 * 60_000);
  });
});

describe('bucketCount', () => {
  it('covers the span from the oldest event to now, within bounds', () => {
    expect(bucketCount(60_000, 5_000, 6, 24)).toBe(13);
    expect(bucketCount(2_000, 1_000, 6, 24)).toBe(6);
    expect(bucketCount(10 * 60 * 60_000, 30 * 60_000, 6, 24)).toBe(21);
    expect(bucketCount(100 * 24 * 60 * 60_000, 24 * 60 * 60_000, 6, 24)).toBe(24);
  });
});

describe('dates and durations', () => {
  it('shows a calendar day as written, whatever the time zone', () => {
    expect(formatDate('2025-12-25')).toBe('25 Dec 2025');
  });
  it('shows durations between saga steps in the unit that reads best', () => {
    expect(formatDuration(85)).toBe('85 ms');
    expect(formatDuration(1400)).toBe('1.4 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(-1)).toBe('');
  });
});
