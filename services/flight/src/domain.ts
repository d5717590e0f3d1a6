// Flight inventory: pure rules. The seat decider decides on the flight's locked row; the UPDATE that
// writes the row back (repository.ts, flightSeats) stays as the database's guard of the same rule.
import type { NewEvent, ReservationPlaced, ReservationCancelled, SeatsSoldOut } from '@airline/contracts';
import { refuse, type Decider, type Decision } from '@airline/decider';

import type { Airport } from './airports.js';

export type FlightStatus = 'SCHEDULED' | 'CANCELLED';

/** A scheduled time: the wall clock at the airport, its zone, and the instant in UTC (what is stored and compared). */
export interface ScheduledTime {
  /** `YYYY-MM-DDThh:mm`, local at the airport */
  local: string;
  /** IANA time zone of the airport */
  timeZone: string;
  /** `YYYY-MM-DDThh:mm:ssZ` */
  utc: string;
}

/** Where and when a flight flies. A flight registered as the seeds do (takeoffDate only) has none. */
export interface Route {
  /** IATA code of the airport it leaves from */
  origin: string;
  /** IATA code of the airport it flies to */
  destination: string;
  departure: ScheduledTime;
  arrival: ScheduledTime;
  /** UTC: no booking is placed from then on (a configured time before departure) */
  bookingClosesAt: string;
}

export interface Flight extends Partial<Route> {
  id: number;
  flightCode: string;
  /** The day of departure (local at the origin); the seeds' field. */
  takeoffDate: string;
  /** Fare per seat in minor units of `currency` (KRW has none: 200000 is ₩200,000; USD has cents). */
  cost: number;
  /** ISO 4217 */
  currency: string;
  capacity: number;
  remainingSeatsCount: number;
  status: FlightStatus;
}

export type HoldStatus = 'HELD' | 'SOLD' | 'RELEASED' | 'REJECTED';

/** Can `seatQty` seats be held on this flight? (flightSeats's WHERE and CHECK say the same to the database.) */
function canHold(flight: Pick<Flight, 'status' | 'remainingSeatsCount'>, seatQty: number): boolean {
  return flight.status === 'SCHEDULED' && flight.remainingSeatsCount >= seatQty;
}

/** Step 2 of the saga: the flight's answer to ReservationPlaced, given whether the hold succeeded. */
export function answerToPlacement(
  placed: ReservationPlaced['data'],
  outcome: ({ held: true; remainingSeatsCount: number } | { held: false; flight: Pick<Flight, 'status' | 'remainingSeatsCount'> }) & {
    flightSeq: number;
  },
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
        ...(placed.currency ? { currency: placed.currency } : {}), // the payment's currency (absent: KRW, as before)
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

export function seatsReleased(
  cancelled: ReservationCancelled['data'],
  change: { remainingSeatsCount: number; flightSeq: number },
): NewEvent<'SeatsReleased'> {
  return {
    type: 'SeatsReleased',
    data: {
      reservationId: cancelled.reservationId,
      flightId: cancelled.flightId,
      seatQty: cancelled.seatQty,
      remainingSeatsCount: change.remainingSeatsCount,
      flightSeq: change.flightSeq,
    },
  };
}

/** A reservation's seats on a flight. */
export interface SeatHold {
  flightId: number;
  seatQty: number;
  status: HoldStatus;
}

/**
 * What the seat decider decides on: one reservation's hold (none yet: undefined) and its flight's row,
 * both locked for the transaction, with the number of the flight's last event.
 */
export interface SeatState {
  hold: SeatHold | undefined;
  flight: (Pick<Flight, 'id' | 'status' | 'remainingSeatsCount'> & { flightSeq: number }) | undefined;
}

/** The saga's steps on the seat side: hold (step 2), sell (step 5), release (compensation). */
export type SeatCommand =
  | { type: 'HoldSeats'; placed: ReservationPlaced['data'] }
  | { type: 'SellSeats'; reservationId: number }
  | { type: 'ReleaseSeats'; cancelled: ReservationCancelled['data'] };

/** What the seat side tells others, and what only it records: a hold sold, a cancel that overtook its placement. */
export type SeatEvent =
  | NewEvent<'SeatsReserved' | 'SeatsSoldOut' | 'SeatsReleased'>
  | { type: 'SeatsSold'; data: { reservationId: number } }
  | { type: 'CancelledBeforePlaced'; data: { reservationId: number; flightId: number } };

/** The integration events among a decision's events (the others are the flight's own records). */
const PUBLISHED = new Set<SeatEvent['type']>(['SeatsReserved', 'SeatsSoldOut', 'SeatsReleased']);
export const toPublish = (events: SeatEvent[]) =>
  events.filter((e): e is NewEvent<'SeatsReserved' | 'SeatsSoldOut' | 'SeatsReleased'> => PUBLISHED.has(e.type));

export class SeatRefusal {
  constructor(
    readonly code: 'UNKNOWN_FLIGHT',
    readonly message: string,
  ) {}
}

export function decideSeats(command: SeatCommand, state: SeatState): Decision<SeatEvent, SeatRefusal> {
  switch (command.type) {
    case 'HoldSeats': {
      const placed = command.placed;
      if (state.hold) return []; // answered before, or cancelled before it got here
      const flight = state.flight;
      if (!flight) return refuse(new SeatRefusal('UNKNOWN_FLIGHT', `ReservationPlaced for unknown flight ${placed.flightId}`));
      const flightSeq = flight.flightSeq + 1; // a refused placement takes its place among the flight's events too
      if (canHold(flight, placed.seatQty))
        return [answerToPlacement(placed, { held: true, remainingSeatsCount: flight.remainingSeatsCount - placed.seatQty, flightSeq })];
      return [answerToPlacement(placed, { held: false, flight, flightSeq })];
    }
    case 'SellSeats':
      return state.hold?.status === 'HELD' ? [{ type: 'SeatsSold', data: { reservationId: command.reservationId } }] : [];
    case 'ReleaseSeats': {
      const c = command.cancelled;
      if (!state.hold) return [{ type: 'CancelledBeforePlaced', data: { reservationId: c.reservationId, flightId: c.flightId } }];
      if (!releasable(state.hold.status)) return [];
      const flight = state.flight;
      if (!flight) return refuse(new SeatRefusal('UNKNOWN_FLIGHT', `ReservationCancelled for unknown flight ${state.hold.flightId}`));
      const seatQty = state.hold.seatQty;
      return [
        seatsReleased({ ...c, seatQty }, { remainingSeatsCount: flight.remainingSeatsCount + seatQty, flightSeq: flight.flightSeq + 1 }),
      ];
    }
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${JSON.stringify(unknown)}`);
    }
  }
}

export function evolveSeats(state: SeatState, event: SeatEvent): SeatState {
  switch (event.type) {
    case 'SeatsReserved': {
      const d = event.data;
      return {
        ...state,
        hold: { flightId: d.flightId, seatQty: d.seatQty, status: 'HELD' },
        flight: advanced(state, d.remainingSeatsCount),
      };
    }
    case 'SeatsSoldOut': {
      const d = event.data;
      return {
        ...state,
        hold: { flightId: d.flightId, seatQty: d.seatQty, status: 'REJECTED' },
        flight: advanced(state, state.flight!.remainingSeatsCount),
      };
    }
    case 'SeatsReleased': {
      const d = event.data;
      return { ...state, hold: { ...state.hold!, status: 'RELEASED' }, flight: advanced(state, d.remainingSeatsCount) };
    }
    case 'SeatsSold':
      return { ...state, hold: { ...state.hold!, status: 'SOLD' } };
    case 'CancelledBeforePlaced': // a tombstone: the placement, when it comes, finds a hold and does nothing
      return { ...state, hold: { flightId: event.data.flightId, seatQty: 0, status: 'RELEASED' } };
    default: {
      const unknown: never = event;
      throw new Error(`unknown event ${JSON.stringify(unknown)}`);
    }
  }
}

/** Each of the flight's events takes the next number (flightSeq). */
const advanced = (state: SeatState, remainingSeatsCount: number): SeatState['flight'] => ({
  ...state.flight!,
  remainingSeatsCount,
  flightSeq: state.flight!.flightSeq + 1,
});

/** The seat side of the saga as one decider (the command handler in @airline/decider runs it). */
export const seatDecider: Decider<SeatState, SeatCommand, SeatEvent, SeatRefusal> = {
  decide: decideSeats,
  evolve: evolveSeats,
  initialState: () => ({ hold: undefined, flight: undefined }),
};

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
      currency: flight.currency,
      capacity: flight.capacity,
      remainingSeatsCount: flight.remainingSeatsCount,
      ...(flight.origin !== undefined
        ? {
            origin: flight.origin,
            destination: flight.destination,
            departure: flight.departure,
            arrival: flight.arrival,
            bookingClosesAt: flight.bookingClosesAt,
          }
        : {}),
      flightSeq: FIRST_FLIGHT_SEQ,
    },
  };
}

/** What staff send to register a flight: the seeds' fields, and the route and times of a scheduled flight. */
export interface RegisterFlight {
  flightCode: string;
  takeoffDate?: string;
  cost: number;
  currency?: string;
  capacity?: number;
  remainingSeatsCount?: number;
  origin?: string;
  destination?: string;
  /** `YYYY-MM-DDThh:mm` local at the origin */
  departureTime?: string;
  /** `YYYY-MM-DDThh:mm` local at the destination */
  arrivalTime?: string;
}

export interface RegistrationRules {
  now: Date;
  airport(code: string): Airport | undefined;
  /** Local wall-clock time in a zone → UTC, undefined when the zone's clocks skip or repeat it. */
  toUtc(local: string, timeZone: string): string | undefined;
  /** The currency of a fare registered without one. */
  defaultCurrency: string;
  /** Booking closes this many minutes before departure. */
  bookingClosesMinutes: number;
  /** Whether text is an ISO 4217 currency code this runtime knows. */
  isCurrency(code: string): boolean;
}

export type NewFlight = Omit<Flight, 'id' | 'status'>;
export type RegistrationDecision = { ok: true; flight: NewFlight } | { ok: false; field: string; detail: string };

const ROUTE_FIELDS = ['origin', 'destination', 'departureTime', 'arrivalTime'] as const;

/**
 * Registering a flight. A scheduled flight gives its route and local times (the zones are its airports'):
 * it must leave in the future, arrive after it leaves, and its takeoffDate is its local day of departure.
 * A flight in the seeds' shape (takeoffDate, no route) is taken as the seeds take it, whatever its day:
 * the seeds' own demo registers 2025-12-25 and books it. Either way capacity is at least 1.
 */
export function decideRegistration(input: RegisterFlight, rules: RegistrationRules): RegistrationDecision {
  const refuse = (field: string, detail: string): RegistrationDecision => ({ ok: false, field, detail });
  const capacity = input.capacity ?? input.remainingSeatsCount;
  if (capacity === undefined) return refuse('capacity', 'give capacity (or remainingSeatsCount, as the seeds do)');
  if (capacity < 1) return refuse(input.capacity === undefined ? 'remainingSeatsCount' : 'capacity', 'a flight has at least 1 seat');
  const remainingSeatsCount = input.remainingSeatsCount ?? capacity;
  if (remainingSeatsCount > capacity) return refuse('remainingSeatsCount', 'remainingSeatsCount cannot exceed capacity');
  const currency = input.currency ?? rules.defaultCurrency;
  if (!rules.isCurrency(currency)) return refuse('currency', `${currency} is not an ISO 4217 currency code`);
  const fare = { flightCode: input.flightCode, cost: input.cost, currency, capacity, remainingSeatsCount };

  const given = ROUTE_FIELDS.filter((f) => input[f] !== undefined);
  if (given.length === 0) {
    if (input.takeoffDate === undefined)
      return refuse('departureTime', 'give origin, destination, departureTime and arrivalTime (or a takeoffDate, as the seeds do)');
    return { ok: true, flight: { ...fare, takeoffDate: input.takeoffDate } };
  }
  const missing = ROUTE_FIELDS.find((f) => input[f] === undefined);
  if (missing) return refuse(missing, `a scheduled flight needs ${ROUTE_FIELDS.join(', ')}; ${missing} is missing`);
  const origin = rules.airport(input.origin!);
  if (!origin) return refuse('origin', `${input.origin} is not an airport's IATA code`);
  const destination = rules.airport(input.destination!);
  if (!destination) return refuse('destination', `${input.destination} is not an airport's IATA code`);
  if (origin.code === destination.code) return refuse('destination', 'a flight goes to another airport than it leaves from');
  const departureUtc = rules.toUtc(input.departureTime!, origin.timeZone);
  if (!departureUtc)
    return refuse('departureTime', `${input.departureTime} does not exist in ${origin.timeZone} or happens twice there (a clock change)`);
  const arrivalUtc = rules.toUtc(input.arrivalTime!, destination.timeZone);
  if (!arrivalUtc)
    return refuse('arrivalTime', `${input.arrivalTime} does not exist in ${destination.timeZone} or happens twice there (a clock change)`);
  if (Date.parse(departureUtc) <= rules.now.getTime())
    return refuse('departureTime', `departure ${input.departureTime} (${origin.timeZone}) is in the past`);
  if (Date.parse(arrivalUtc) <= Date.parse(departureUtc))
    return refuse(
      'arrivalTime',
      `arrival ${input.arrivalTime} (${destination.timeZone}) is not after departure ${input.departureTime} (${origin.timeZone})`,
    );
  const day = input.departureTime!.slice(0, 10);
  if (input.takeoffDate !== undefined && input.takeoffDate.slice(0, 10) !== day)
    return refuse('takeoffDate', `takeoffDate ${input.takeoffDate} is not the day of departureTime (${day})`);
  const closes = new Date(Date.parse(departureUtc) - rules.bookingClosesMinutes * 60_000);
  return {
    ok: true,
    flight: {
      ...fare,
      takeoffDate: input.takeoffDate ?? day,
      origin: origin.code,
      destination: destination.code,
      departure: { local: input.departureTime!, timeZone: origin.timeZone, utc: departureUtc },
      arrival: { local: input.arrivalTime!, timeZone: destination.timeZone, utc: arrivalUtc },
      bookingClosesAt: utcText(closes),
    },
  };
}

/** A UTC instant as this API writes it: `YYYY-MM-DDThh:mm:ssZ`. */
export const utcText = (at: Date) => at.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The day a flight's code may be used once: its local day of departure (the seeds' takeoffDate's day). */
export const departureDay = (flight: Pick<Flight, 'takeoffDate'>) => flight.takeoffDate.slice(0, 10);

/** Whether a flight still takes bookings at `now`: scheduled, and (when it has a departure) before booking closes. */
export function onSale(flight: Pick<Flight, 'status' | 'bookingClosesAt'>, now: Date): boolean {
  return flight.status === 'SCHEDULED' && (flight.bookingClosesAt === undefined || Date.parse(flight.bookingClosesAt) > now.getTime());
}

export type CancelFlightDecision = { ok: true } | { ok: false; reason: 'ALREADY_CANCELLED' };

export function decideCancelFlight(flight: Flight): CancelFlightDecision {
  return flight.status === 'CANCELLED' ? { ok: false, reason: 'ALREADY_CANCELLED' } : { ok: true };
}

export function flightCancelled(flight: Flight, flightSeq: number): NewEvent<'FlightCancelled'> {
  return { type: 'FlightCancelled', data: { flightId: flight.id, flightCode: flight.flightCode, flightSeq } };
}
