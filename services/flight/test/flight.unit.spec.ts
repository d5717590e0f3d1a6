import { describe, expect, it } from 'vitest';
import {
  answerToPlacement,
  decideCancelFlight,
  decideSeats,
  flightCancelled,
  flightRegistered,
  releasable,
  seatsReleased,
  type Flight,
} from '../src/domain.js';

const placed = {
  reservationId: 7,
  bookingReference: 'ABC234',
  customerId: 1,
  flightId: 1,
  seatQty: 3,
  amount: 600_000,
  reserveDate: '2024-11-21',
  paymentMethod: 'pm_card_visa',
  cardLast4: '4242',
  cardBrand: 'visa',
  holdExpiresAt: '2026-01-01T00:15:00.000Z',
};
const flight: Flight = {
  id: 1,
  flightCode: 'ACE890',
  takeoffDate: '2025-12-25',
  cost: 200_000,
  currency: 'KRW',
  capacity: 5,
  remainingSeatsCount: 5,
  status: 'SCHEDULED',
};

describe('holding seats (saga step 2)', () => {
  it('holds when enough seats remain, and only then', () => {
    // the rule the flight decides on its locked row (the flightSeats UPDATE guards it in the database)
    const holds = (f: Flight, seatQty: number) => {
      const decision = decideSeats(
        { type: 'HoldSeats', placed: { ...placed, seatQty } },
        { hold: undefined, flight: { ...f, flightSeq: 1 } },
      );
      return Array.isArray(decision) && decision[0]?.type === 'SeatsReserved';
    };
    expect(holds(flight, 5)).toBe(true);
    expect(holds(flight, 6)).toBe(false);
    expect(holds({ ...flight, status: 'CANCELLED' }, 1)).toBe(false);
  });
  it('answers SeatsReserved with what payment needs, and until when it may charge', () => {
    expect(answerToPlacement(placed, { held: true, remainingSeatsCount: 2, flightSeq: 4 })).toEqual({
      type: 'SeatsReserved',
      data: {
        reservationId: 7,
        customerId: 1,
        flightId: 1,
        seatQty: 3,
        amount: 600_000,
        paymentMethod: 'pm_card_visa',
        cardLast4: '4242',
        cardBrand: 'visa',
        remainingSeatsCount: 2,
        holdExpiresAt: '2026-01-01T00:15:00.000Z',
        flightSeq: 4,
      },
    });
  });
  it('answers SeatsSoldOut with the reservation id when seats are short (seeds 000/004)', () => {
    expect(answerToPlacement(placed, { held: false, flight: { ...flight, remainingSeatsCount: 2 }, flightSeq: 5 })).toEqual({
      type: 'SeatsSoldOut',
      data: { reservationId: 7, flightId: 1, seatQty: 3, remainingSeatsCount: 2, reason: 'SOLD_OUT', flightSeq: 5 },
    });
  });
  it('says FLIGHT_CANCELLED when the flight no longer flies', () => {
    const answer = answerToPlacement(placed, { held: false, flight: { ...flight, status: 'CANCELLED' }, flightSeq: 6 });
    expect(answer.type === 'SeatsSoldOut' && answer.data.reason).toBe('FLIGHT_CANCELLED');
  });
});

describe('releasing seats (compensation)', () => {
  it('gives back held and sold seats, never rejected or already released ones', () => {
    expect(releasable('HELD')).toBe(true);
    expect(releasable('SOLD')).toBe(true);
    expect(releasable('REJECTED')).toBe(false);
    expect(releasable('RELEASED')).toBe(false);
  });
  it('reports the seats and the new remaining count', () => {
    const cancelled = { ...placed, reason: 'PAYMENT_DECLINED' as const, previousStatus: 'PENDING' as const };
    expect(seatsReleased(cancelled, { remainingSeatsCount: 5, flightSeq: 7 })).toEqual({
      type: 'SeatsReleased',
      data: { reservationId: 7, flightId: 1, seatQty: 3, remainingSeatsCount: 5, flightSeq: 7 },
    });
  });
});

describe('cancelling a flight (staff)', () => {
  it('cancels a flight once, and says so with FlightCancelled', () => {
    expect(decideCancelFlight(flight)).toEqual({ ok: true });
    expect(decideCancelFlight({ ...flight, status: 'CANCELLED' })).toEqual({ ok: false, reason: 'ALREADY_CANCELLED' });
    expect(flightCancelled(flight, 9)).toEqual({ type: 'FlightCancelled', data: { flightId: 1, flightCode: 'ACE890', flightSeq: 9 } });
  });
  it('numbers a flight’s events from FlightRegistered, its first', () => {
    expect(flightRegistered(flight).data.flightSeq).toBe(1);
  });
});
