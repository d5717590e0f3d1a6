// Forms check in the browser and say every problem at once in plain words (issue 14); an error goes
// away when its field is edited; money and dates are written as everywhere else.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api';
import { apiProblems, bookingProblems, withoutField } from '../src/forms';
import { formatDate, formatDeparture, formatMoney, onSale, pendingNote } from '../src/format';

const none = { givenName: '', familyName: '' };

describe('the booking form', () => {
  it('says every problem at once, in plain words, naming no validator', () => {
    const problems = bookingProblems(
      { seatQty: '0', card: '4242 4242 4242 4241', passengers: [{ givenName: 'Minji', familyName: '' }] },
      5,
    );
    expect(problems).toEqual({
      seatQty: 'Choose how many seats: a whole number, at least 1.',
      card: 'This card number is not valid: check the digits.',
      'passengers.0.familyName': 'Passenger 1: enter the family name too, or leave both names empty to name them later.',
    });
    expect(Object.values(problems).join(' ')).not.toMatch(/body\.|must match|must be >=/);
  });
  it('caps the seats at those left and at the seats one booking may take', () => {
    expect(bookingProblems({ seatQty: '4', card: '4242424242424242', passengers: [] }, 3).seatQty).toBe(
      'Only 3 seats are left: choose 3 or fewer.',
    );
    expect(bookingProblems({ seatQty: '10', card: '4242424242424242', passengers: [] }, 50).seatQty).toBe(
      'One booking takes at most 9 seats.',
    );
    expect(bookingProblems({ seatQty: '3', card: '4242424242424242', passengers: [none, none, none] }, 3)).toEqual({});
  });
  it('clears a problem when its field is edited, and keeps the others', () => {
    expect(withoutField({ seatQty: 'a', card: 'b' }, 'card')).toEqual({ seatQty: 'a' });
  });
  it('puts the API’s problems in the same words', () => {
    const closed = new ApiError({
      type: '/problems/booking-closed',
      title: 'Booking closed',
      status: 409,
      detail: 'booking for flight 3 closed at …',
      field: 'flightId',
      code: 'BOOKING_CLOSED',
    } as never);
    expect(apiProblems(closed)).toEqual({ flightId: 'Booking for this flight has closed.' });
    const seats = new ApiError({
      type: '/problems/invalid-request',
      title: 'Invalid request',
      status: 400,
      detail: 'body/seatQty must be <= 9',
      field: 'body.seatQty',
    } as never);
    expect(apiProblems(seats)).toEqual({ seatQty: 'Choose fewer seats: this many cannot be booked.' });
  });
});

describe('money, dates and departures', () => {
  it('writes money in its currency with Intl, KRW when none is stated', () => {
    expect(formatMoney(400_000)).toBe('₩400,000');
    expect(formatMoney(129_900, 'USD')).toBe('US$1,299.00');
  });
  it('writes a day as the notifications do', () => expect(formatDate('2027-01-10')).toBe('10 Jan 2027'));
  it('writes a departure as the airport’s clocks show it', () => {
    expect(
      formatDeparture({
        takeoffDate: '2027-01-10',
        departure: { local: '2027-01-10T10:00', timeZone: 'Asia/Seoul', utc: '2027-01-10T01:00:00Z' },
      }),
    ).toBe('10 Jan 2027, 10:00 (Asia/Seoul)');
    expect(formatDeparture({ takeoffDate: '2025-12-25' })).toBe('25 Dec 2025');
  });
  it('hides a flight whose booking has closed', () => {
    expect(onSale({ status: 'SCHEDULED', bookingClosesAt: '2027-01-10T00:00:00Z' }, Date.parse('2027-01-09T23:00:00Z'))).toBe(true);
    expect(onSale({ status: 'SCHEDULED', bookingClosesAt: '2027-01-10T00:00:00Z' }, Date.parse('2027-01-10T00:00:00Z'))).toBe(false);
    expect(onSale({ status: 'SCHEDULED' })).toBe(true);
  });
});

describe('a slow payment', () => {
  it('says nothing for 10 s, then the time so far, the hold’s countdown and that we will notify', () => {
    expect(pendingNote(9_999, 600_000)).toBe('');
    expect(pendingNote(12_000, 14 * 60_000 + 5_000)).toBe(
      "The payment is taking longer than usual (12 s so far). Your seats stay held for 14 min 05 s; we'll notify you when it is done, and you may leave this page.",
    );
  });
});

describe('toasts', () => {
  it('never repeat the user’s own action; news they did not cause gets one', async () => {
    const { worthAToast } = await import('../src/format');
    expect(worthAToast({ kind: 'RESERVATION_PLACED', reason: null })).toBe(false);
    expect(worthAToast({ kind: 'RESERVATION_CANCELLED', reason: 'CUSTOMER' })).toBe(false);
    expect(worthAToast({ kind: 'RESERVATION_CANCELLED', reason: 'PAYMENT_DECLINED' })).toBe(true);
    expect(worthAToast({ kind: 'RESERVATION_CONFIRMED', reason: null })).toBe(true);
    expect(worthAToast({ kind: 'FLIGHT_CANCELLED', reason: 'FLIGHT_CANCELLED' })).toBe(true);
  });
});
