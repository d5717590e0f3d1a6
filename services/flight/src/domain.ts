// Flight inventory: pure rules. The seat decrement itself is one conditional UPDATE (see seats.ts),
// so the rule below is what that statement decides, stated once for readers and tests.
import type { NewEvent, ReservationPlaced, ReservationCancelled, SeatsSoldOut } from '@airline/contracts';

export type FlightStatus = 'SCHEDULED' | 'CANCELLED';

export interface Flight {
  id: number;
  flightCode: string;
  takeoffDate: string;
  cost: number;
  capacity: number;
  remainingSeatsCount: number;
  status: FlightStatus;
}

export type HoldStatus = 'HELD' | 'SOLD' | 'RELEASED' | 'REJECTED';

/** Can `seatQty` seats be held on this flight? */
export function canHold(flight: Pick<Flight, 'status' | 'remainingSeatsCount'>, seatQty: number): boolean {
  return flight.status === 'SCHEDULED' && flight.remainingSeatsCount >= seatQty;
}

/** Step 2 of the saga: the flight's answer to ReservationPlaced, given whether the hold succeeded. */
export function answerToPlacement(
  placed: ReservationPlaced['data'],
  outcome: ({ held: true; remainingSeatsCount: number } | { held: false; flight: Pick<Flight, 'status' | 'remainingSeatsCount'> }) & { flightSeq: number },
): NewEvent<'SeatsReserved' | 'SeatsSoldOut'> {
  if (outcome.held) {
    return {
      type: 'SeatsReserved',
      data: {
        reservationId: placed.reservationId,
        customerId: placed.customerId,
        flightId: placed.flightId,
        seatQty: placed.seatQty,
        amount: placed.amount,
        // passed on for payment: the token, never a card number (the flight itself has no use for it)
        paymentMethod: placed.paymentMethod,
        cardLast4: placed.cardLast4,
        cardBrand: placed.cardBrand,
        remainingSeatsCount: outcome.remainingSeatsCount,
        holdExpiresAt: placed.holdExpiresAt,
        flightSeq: outcome.flightSeq,
      },
    };
  }
  const reason: SeatsSoldOut['data']['reason'] = outcome.flight.status === 'CANCELLED' ? 'FLIGHT_CANCELLED' : 'SOLD_OUT';
  return {
    type: 'SeatsSoldOut',
    data: {
      reservationId: placed.reservationId,
      flightId: placed.flightId,
      seatQty: placed.seatQty,
      remainingSeatsCount: outcome.flight.remainingSeatsCount,
      reason,
      flightSeq: outcome.flightSeq,
    },
  };
}

/** Compensation: which holds give their seats back when a reservation is cancelled. */
export function releasable(status: HoldStatus): boolean {
  return status === 'HELD' || status === 'SOLD';
}

export function seatsReleased(cancelled: ReservationCancelled['data'], change: { remainingSeatsCount: number; flightSeq: number }): NewEvent<'SeatsReleased'> {
  return {
    type: 'SeatsReleased',
    data: { reservationId: cancelled.reservationId, flightId: cancelled.flightId, seatQty: cancelled.seatQty, remainingSeatsCount: change.remainingSeatsCount, flightSeq: change.flightSeq },
  };
}

/** A flight's first event (flights.event_seq starts at 1). */
export const FIRST_FLIGHT_SEQ = 1;

export function flightRegistered(flight: Flight): NewEvent<'FlightRegistered'> {
  return {
    type: 'FlightRegistered',
    data: {
      flightId: flight.id,
      flightCode: flight.flightCode,
      takeoffDate: flight.takeoffDate,
      cost: flight.cost,
      capacity: flight.capacity,
      remainingSeatsCount: flight.remainingSeatsCount,
      flightSeq: FIRST_FLIGHT_SEQ,
    },
  };
}

export type CancelFlightDecision = { ok: true } | { ok: false; reason: 'ALREADY_CANCELLED' };

export function decideCancelFlight(flight: Flight): CancelFlightDecision {
  return flight.status === 'CANCELLED' ? { ok: false, reason: 'ALREADY_CANCELLED' } : { ok: true };
}

export function flightCancelled(flight: Flight, flightSeq: number): NewEvent<'FlightCancelled'> {
  return { type: 'FlightCancelled', data: { flightId: flight.id, flightCode: flight.flightCode, flightSeq } };
}
