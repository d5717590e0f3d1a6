// The reservation aggregate: decide (command → events) and evolve (event → state), pure.
// Time, ids and the booking reference come in with the command, never from the clock here.
import { UNSTATED_CURRENCY, type CancelReason, type NewEvent, type Passenger, type PaymentMethodSummary } from '@airline/contracts';
import { refuse, type Decider, type Decision } from '@airline/decider';

export type ReservationStatus = 'PENDING' | 'CONFIRMED' | 'CANCELED';

export interface Reservation {
  id: number;
  bookingReference: string;
  customerId: number;
  flightId: number;
  seatQty: number;
  /** cost × seatQty, in minor units of `currency` */
  amount: number;
  /** ISO 4217, the flight's fare's */
  currency: string;
  reserveDate: string;
  cardLast4: string;
  /** The named passengers, one per seat in seat order; the seats after them are to be named. */
  passengers: Passenger[];
  status: ReservationStatus;
  cancelReason: CancelReason | null;
  holdExpiresAt: string;
}

export interface CatalogFlight {
  flightId: number;
  cost: number;
  status: 'SCHEDULED' | 'CANCELLED';
  /** ISO 4217 of `cost`; absent: a flight registered before fares had a currency (KRW). */
  currency?: string;
  /** UTC: no booking from then on (a scheduled flight's; flights registered as the seeds do have none). */
  bookingClosesAt?: string;
}

/** How many seats a booking may ask for, and how many one customer may hold at once on one flight. */
export interface BookingLimits {
  /** Seats in one booking (airlines: 9). */
  maxSeatsPerBooking: number;
  /** Seats of one customer's active (PENDING or CONFIRMED) reservations on one flight, this booking included. */
  maxSeatsPerCustomerOnFlight: number;
}
export const defaultBookingLimits: BookingLimits = { maxSeatsPerBooking: 9, maxSeatsPerCustomerOnFlight: 18 };

/** The largest amount a reservation may come to: amounts are 32-bit integers in every service's tables and events. */
export const MAX_AMOUNT = 2_147_483_647;

export type ReservationCommand =
  | {
      type: 'PlaceReservation';
      reservationId: number;
      bookingReference: string;
      customerId: number;
      flightId: number;
      /** The flight as the local catalog knows it; undefined when it does not. */
      flight: CatalogFlight | undefined;
      seatQty: number;
      reserveDate: string;
      /** Named passengers (at most seatQty; the other seats are to be named). */
      passengers: Passenger[];
      /** The card's token, last four and brand: never its number. */
      paymentMethod: PaymentMethodSummary['paymentMethod'];
      cardLast4: string;
      cardBrand: string;
      holdExpiresAt: string;
      /** When the booking is asked (booking closes before departure). */
      now: Date;
      /** Seats this customer already holds on this flight (active reservations). */
      heldSeats: number;
      limits: BookingLimits;
    }
  | { type: 'ConfirmReservation' }
  | { type: 'NamePassengers'; passengers: Passenger[] }
  | { type: 'CancelReservation'; reason: CancelReason };

export type ReservationEvent = NewEvent<'ReservationPlaced' | 'ReservationConfirmed' | 'ReservationCancelled' | 'PassengersNamed'>;

/** A command the aggregate refuses (decide returns it); `field` names the input at fault when there is one. */
export class ReservationRejected extends Error {
  constructor(
    readonly code:
      | 'UNKNOWN_FLIGHT'
      | 'FLIGHT_CANCELLED'
      | 'BOOKING_CLOSED'
      | 'SEAT_LIMIT'
      | 'TOO_MANY_PASSENGERS'
      | 'CUSTOMER_SEAT_LIMIT'
      | 'AMOUNT_TOO_LARGE'
      | 'ALREADY_CANCELLED'
      | 'NOT_PLACED',
    message: string,
    readonly field?: string,
    /** What the client needs to act on the refusal (the limit, what is held). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ReservationRejected';
  }
}

const ACTIVE: ReservationStatus[] = ['PENDING', 'CONFIRMED'];

/** Which cancel reasons may still cancel a reservation in a given status. Stale saga messages do nothing. */
const cancellableFrom: Record<CancelReason, ReservationStatus[]> = {
  SOLD_OUT: ['PENDING'],
  PAYMENT_DECLINED: ['PENDING'],
  PAYMENT_TIMEOUT: ['PENDING'],
  CUSTOMER: ACTIVE,
  FLIGHT_CANCELLED: ACTIVE,
};

export interface Placement {
  flightId: number;
  flight: CatalogFlight | undefined;
  seatQty: number;
  heldSeats: number;
  limits: BookingLimits;
  now: Date;
}

/**
 * Why a booking cannot be placed, or undefined when it can: everything about the request alone, so that
 * a group of bookings never fails for one of them.
 */
function placementRefusal(p: Placement): ReservationRejected | undefined {
  if (!p.flight) return new ReservationRejected('UNKNOWN_FLIGHT', `flight ${p.flightId} does not exist`, 'flightId');
  if (p.flight.status === 'CANCELLED')
    return new ReservationRejected('FLIGHT_CANCELLED', `flight ${p.flightId} is cancelled and takes no bookings`, 'flightId');
  if (p.flight.bookingClosesAt !== undefined && Date.parse(p.flight.bookingClosesAt) <= p.now.getTime()) {
    return new ReservationRejected('BOOKING_CLOSED', `booking for flight ${p.flightId} closed at ${p.flight.bookingClosesAt}`, 'flightId', {
      bookingClosesAt: p.flight.bookingClosesAt,
    });
  }
  const { maxSeatsPerBooking, maxSeatsPerCustomerOnFlight } = p.limits;
  if (p.seatQty > maxSeatsPerBooking) {
    return new ReservationRejected('SEAT_LIMIT', `a booking takes at most ${maxSeatsPerBooking} seats (maxSeatsPerBooking)`, 'seatQty', {
      limit: maxSeatsPerBooking,
    });
  }
  if (p.heldSeats + p.seatQty > maxSeatsPerCustomerOnFlight) {
    return new ReservationRejected(
      'CUSTOMER_SEAT_LIMIT',
      `a customer holds at most ${maxSeatsPerCustomerOnFlight} seats on one flight (maxSeatsPerCustomerOnFlight); this customer holds ${p.heldSeats} on flight ${p.flightId}`,
      'seatQty',
      { limit: maxSeatsPerCustomerOnFlight, heldSeats: p.heldSeats },
    );
  }
  if (p.flight.cost * p.seatQty > MAX_AMOUNT) {
    return new ReservationRejected(
      'AMOUNT_TOO_LARGE',
      `${p.seatQty} seats at ${p.flight.cost} come to more than ${MAX_AMOUNT}, the largest amount one booking may be`,
      'seatQty',
      { limit: MAX_AMOUNT },
    );
  }
  return undefined;
}

/** No reservation yet: the state a PlaceReservation starts from. */
export type ReservationState = Reservation | undefined;

export function decide(command: ReservationCommand, state: ReservationState): Decision<ReservationEvent, ReservationRejected> {
  switch (command.type) {
    case 'PlaceReservation': {
      const refused = placementRefusal(command) ?? passengersRefusal(command.passengers, command.seatQty);
      if (refused) return refuse(refused);
      const flight = command.flight!; // an unknown flight is refused above
      return [
        {
          type: 'ReservationPlaced',
          data: {
            reservationId: command.reservationId,
            bookingReference: command.bookingReference,
            customerId: command.customerId,
            flightId: flight.flightId,
            seatQty: command.seatQty,
            amount: flight.cost * command.seatQty,
            currency: flight.currency ?? UNSTATED_CURRENCY,
            reserveDate: command.reserveDate,
            paymentMethod: command.paymentMethod,
            cardLast4: command.cardLast4,
            cardBrand: command.cardBrand,
            holdExpiresAt: command.holdExpiresAt,
            ...(command.passengers.length > 0 ? { passengers: command.passengers } : {}),
          },
        },
      ];
    }
    case 'NamePassengers': {
      if (!state) return refuse(new ReservationRejected('NOT_PLACED', 'no such reservation'));
      if (state.status === 'CANCELED')
        return refuse(new ReservationRejected('ALREADY_CANCELLED', `reservation ${state.id} is cancelled: its passengers cannot be named`));
      const refused = passengersRefusal(command.passengers, state.seatQty);
      if (refused) return refuse(refused);
      if (JSON.stringify(command.passengers) === JSON.stringify(state.passengers)) return [];
      return [
        {
          type: 'PassengersNamed',
          data: {
            reservationId: state.id,
            bookingReference: state.bookingReference,
            customerId: state.customerId,
            flightId: state.flightId,
            seatQty: state.seatQty,
            passengers: command.passengers,
          },
        },
      ];
    }
    case 'ConfirmReservation': {
      if (!state) return refuse(new ReservationRejected('NOT_PLACED', 'no such reservation'));
      if (state.status !== 'PENDING') return []; // cancelled meanwhile (expiry, customer): payment refunds it
      return [{ type: 'ReservationConfirmed', data: { ...summary(state) } }];
    }
    case 'CancelReservation': {
      if (!state) return refuse(new ReservationRejected('NOT_PLACED', 'no such reservation'));
      if (!cancellableFrom[command.reason].includes(state.status)) {
        if (command.reason === 'CUSTOMER' && state.status === 'CANCELED') {
          return refuse(
            new ReservationRejected('ALREADY_CANCELLED', `reservation ${state.id} is already cancelled (${state.cancelReason})`),
          );
        }
        return [];
      }
      return [
        {
          type: 'ReservationCancelled',
          data: { ...summary(state), reason: command.reason, previousStatus: state.status as 'PENDING' | 'CONFIRMED' },
        },
      ];
    }
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${JSON.stringify(unknown)}`);
    }
  }
}

export function evolve(state: ReservationState, event: ReservationEvent): Reservation {
  switch (event.type) {
    case 'ReservationPlaced': {
      const d = event.data;
      return {
        id: d.reservationId,
        bookingReference: d.bookingReference,
        customerId: d.customerId,
        flightId: d.flightId,
        seatQty: d.seatQty,
        amount: d.amount,
        currency: d.currency ?? UNSTATED_CURRENCY,
        reserveDate: d.reserveDate,
        cardLast4: d.cardLast4,
        passengers: d.passengers ?? [],
        status: 'PENDING',
        cancelReason: null,
        holdExpiresAt: d.holdExpiresAt,
      };
    }
    case 'ReservationConfirmed':
      return { ...must(state), status: 'CONFIRMED' };
    case 'ReservationCancelled':
      return { ...must(state), status: 'CANCELED', cancelReason: event.data.reason };
    case 'PassengersNamed':
      return { ...must(state), passengers: event.data.passengers };
    default: {
      const unknown: never = event;
      throw new Error(`unknown event ${JSON.stringify(unknown)}`);
    }
  }
}

/** The reservation aggregate as one decider (the command handler in @airline/service runs it). */
export const reservationDecider: Decider<ReservationState, ReservationCommand, ReservationEvent, ReservationRejected> = {
  decide,
  evolve,
  initialState: () => undefined,
};

function must(state: ReservationState): Reservation {
  if (!state) throw new Error('event applied to a reservation that was never placed');
  return state;
}

function summary(r: Reservation) {
  return {
    reservationId: r.id,
    bookingReference: r.bookingReference,
    customerId: r.customerId,
    flightId: r.flightId,
    seatQty: r.seatQty,
    amount: r.amount,
    currency: r.currency,
    reserveDate: r.reserveDate,
    ...(r.passengers.length > 0 ? { passengers: r.passengers } : {}),
  };
}

/** A booking names at most one passenger per seat. */
function passengersRefusal(passengers: Passenger[], seatQty: number): ReservationRejected | undefined {
  if (passengers.length <= seatQty) return undefined;
  return new ReservationRejected(
    'TOO_MANY_PASSENGERS',
    `${passengers.length} passengers named for ${seatQty} seats: one passenger per seat`,
    'passengers',
    { limit: seatQty },
  );
}

/** Airline-style record locator: 6 characters without the look-alikes 0/O and 1/I. */
export const BOOKING_REFERENCE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export function bookingReference(randomBytes: Uint8Array): string {
  if (randomBytes.length < 6) throw new Error('need 6 random bytes');
  let ref = '';
  for (let i = 0; i < 6; i++) ref += BOOKING_REFERENCE_ALPHABET[randomBytes[i]! % BOOKING_REFERENCE_ALPHABET.length];
  return ref;
}
