// The dashboard's read models, as pure rules (SPEC step 11). Every rule is idempotent (an event seen
// twice changes nothing the second time) and order-tolerant (statuses and flags only move forward, the
// latest activity is the one with the latest time), so the same events in any order, any number of
// times, give the same read models: that is what lets the dashboard be rebuilt from the log.
import { formatMoney, UNSTATED_CURRENCY } from '@airline/contracts';
import type {
  IntegrationEvent,
  ReservationCancelled,
  ReservationConfirmed,
  ReservationPlaced,
  SeatsReleased,
  SeatsReserved,
  SeatsSoldOut,
} from '@airline/contracts';

// ---- reservations → customerInfos (seed 000) ----

export type ReservationStatus = 'PENDING' | 'CONFIRMED' | 'CANCELED';
const statusRank: Record<ReservationStatus, number> = { PENDING: 0, CONFIRMED: 1, CANCELED: 2 };

/** The dashboard's own summary of one reservation; customerInfos is the sum of these per customer. */
export interface ReservationSummary {
  reservationId: number;
  customerId: number;
  flightId: number;
  bookingReference: string;
  seatQty: number;
  amount: number;
  /** ISO 4217 of amount */
  currency: string;
  reserveDate: string;
  status: ReservationStatus;
  cancelReason: string | null;
}

export type ReservationStatusEvent = ReservationPlaced | ReservationConfirmed | ReservationCancelled;

/** A reservation's summary after one of its status events; a status never moves back (a late PENDING or CONFIRMED does nothing to a CANCELED one). */
export function evolveSummary(current: ReservationSummary | undefined, event: ReservationStatusEvent): ReservationSummary {
  const d = event.data;
  const seen: ReservationSummary = {
    reservationId: d.reservationId,
    customerId: d.customerId,
    flightId: d.flightId,
    bookingReference: d.bookingReference,
    seatQty: d.seatQty,
    amount: d.amount,
    currency: d.currency ?? UNSTATED_CURRENCY,
    reserveDate: d.reserveDate,
    status: event.type === 'ReservationPlaced' ? 'PENDING' : event.type === 'ReservationConfirmed' ? 'CONFIRMED' : 'CANCELED',
    cancelReason: event.type === 'ReservationCancelled' ? event.data.reason : null,
  };
  if (!current) return seen;
  if (statusRank[seen.status] <= statusRank[current.status]) return current;
  return { ...current, status: seen.status, cancelReason: seen.cancelReason };
}

export interface CustomerInfoChange {
  customerId: number;
  /** Reservations placed (seed 000's flightCount). */
  flightCount: number;
  confirmedCount: number;
  cancelledCount: number;
  /** The reservation's reserveDate when it is new to the dashboard (recentReserveDate is the latest of these). */
  reserveDate: string | null;
}

/** What a change of one reservation's summary adds to its customer's counts (all zero when nothing changed). */
export function customerInfoChange(before: ReservationSummary | undefined, after: ReservationSummary): CustomerInfoChange {
  const counted = (s: ReservationSummary | undefined, status: ReservationStatus) => (s?.status === status ? 1 : 0);
  return {
    customerId: after.customerId,
    flightCount: before ? 0 : 1,
    confirmedCount: counted(after, 'CONFIRMED') - counted(before, 'CONFIRMED'),
    cancelledCount: counted(after, 'CANCELED') - counted(before, 'CANCELED'),
    reserveDate: before ? null : after.reserveDate,
  };
}

export const isNoChange = (c: CustomerInfoChange) => c.flightCount === 0 && c.confirmedCount === 0 && c.cancelledCount === 0;

// ---- seats → flight board (seed 001) ----

/** What the board knows of one reservation's seats on a flight: flags that only ever turn on. */
export interface SeatHold {
  reservationId: number;
  flightId: number;
  seatQty: number;
  reserved: boolean;
  released: boolean;
  soldOut: boolean;
}

export type SeatEvent = SeatsReserved | SeatsReleased | SeatsSoldOut;

export function evolveSeatHold(current: SeatHold | undefined, event: SeatEvent): SeatHold {
  const d = event.data;
  const base = current ?? {
    reservationId: d.reservationId,
    flightId: d.flightId,
    seatQty: d.seatQty,
    reserved: false,
    released: false,
    soldOut: false,
  };
  switch (event.type) {
    case 'SeatsReserved':
      return { ...base, seatQty: d.seatQty, reserved: true };
    case 'SeatsReleased':
      return { ...base, released: true };
    case 'SeatsSoldOut':
      return { ...base, soldOut: true };
    default: {
      const unknown: never = event;
      throw new Error(`no seat rule for ${JSON.stringify(unknown)}`);
    }
  }
}

/** Seats a hold takes from the flight: reserved and not (yet) released. */
export const seatsTaken = (h: SeatHold | undefined) => (h?.reserved && !h.released ? h.seatQty : 0);

export interface FlightBoardChange {
  /** Change in seats taken (held or sold). */
  seatsTaken: number;
  soldOutCount: number;
}

export function flightBoardChange(before: SeatHold | undefined, after: SeatHold): FlightBoardChange {
  return { seatsTaken: seatsTaken(after) - seatsTaken(before), soldOutCount: (after.soldOut ? 1 : 0) - (before?.soldOut ? 1 : 0) };
}

/** Remaining seats: those on sale at registration minus those taken since; unknown until the registration is seen. */
export function remainingSeats(registeredRemaining: number | null, taken: number): number | null {
  return registeredRemaining === null ? null : registeredRemaining - taken;
}

// ---- every event of a booking → reservation history (seeds 002/003) ----

/** The events of a booking's saga, in the order the saga runs them (breaks ties of equal timestamps). */
export const sagaSteps = [
  'ReservationPlaced',
  'SeatsReserved',
  'SeatsSoldOut',
  'PaymentApproved',
  'PaymentDeclined',
  'ReservationConfirmed',
  'ReservationCancelled',
  'SeatsReleased',
  'PaymentRefunded',
  // not a step of the saga: the customer named passengers, whenever they did (last among equal times)
  'PassengersNamed',
] as const satisfies ReadonlyArray<IntegrationEvent['type']>;
export type SagaEvent = Extract<IntegrationEvent, { type: (typeof sagaSteps)[number] }>;

export const sagaStepRank = (type: string) => {
  const i = (sagaSteps as readonly string[]).indexOf(type);
  return i < 0 ? sagaSteps.length : i;
};

const seats = (n: number) => `${n} seat${n === 1 ? '' : 's'}`;

/** One line, in plain words, of what an event did to a booking (history and flight board activity). */
export function describe(event: IntegrationEvent, knownCurrency: string = UNSTATED_CURRENCY): string {
  // amounts in the event's own currency, else the reservation's as the dashboard knows it
  const money = (amount: number) => formatMoney(amount, ('currency' in event.data ? event.data.currency : undefined) ?? knownCurrency);
  switch (event.type) {
    case 'FlightRegistered':
      return `flight ${event.data.flightCode} registered with ${seats(event.data.remainingSeatsCount)} on sale`;
    case 'FlightCancelled':
      return `flight ${event.data.flightCode} cancelled by the airline`;
    case 'ReservationPlaced':
      return `booking ${event.data.bookingReference} placed: ${seats(event.data.seatQty)} on flight ${event.data.flightId} for ${money(event.data.amount)}`;
    case 'SeatsReserved':
      return `${seats(event.data.seatQty)} held for reservation ${event.data.reservationId} (${event.data.remainingSeatsCount} left)`;
    case 'SeatsSoldOut':
      return event.data.reason === 'FLIGHT_CANCELLED'
        ? `no seats for reservation ${event.data.reservationId}: the flight is cancelled`
        : `sold out: ${seats(event.data.seatQty)} asked for reservation ${event.data.reservationId}, ${event.data.remainingSeatsCount} left`;
    case 'PaymentApproved':
      return `payment of ${money(event.data.amount)} approved`;
    case 'PaymentDeclined':
      return `payment of ${money(event.data.amount)} declined (${event.data.reason})`;
    case 'ReservationConfirmed':
      return `booking ${event.data.bookingReference} confirmed`;
    case 'ReservationCancelled':
      return `booking ${event.data.bookingReference} cancelled (${event.data.reason})`;
    case 'SeatsReleased':
      return `${seats(event.data.seatQty)} of reservation ${event.data.reservationId} released (${event.data.remainingSeatsCount} left)`;
    case 'PaymentRefunded':
      return `payment of ${money(event.data.amount)} refunded`;
    case 'PassengersNamed': {
      const unnamed = event.data.seatQty - event.data.passengers.length;
      const names = event.data.passengers.map((p) => `${p.givenName} ${p.familyName}`).join(', ');
      return `booking ${event.data.bookingReference}: passengers named (${[names, unnamed > 0 ? `${unnamed} to be named` : ''].filter(Boolean).join('; ')})`;
    }
    default: {
      const unknown: never = event;
      throw new Error(`no description for ${JSON.stringify(unknown)}`);
    }
  }
}

export interface HistoryEntry {
  eventId: string;
  reservationId: number;
  /** null until the booking's customer is known (an event that overtook ReservationPlaced). */
  customerId: number | null;
  type: SagaEvent['type'];
  occurredAt: string;
  summary: string;
  data: SagaEvent['data'];
}

/** The history line of a saga event; the customer comes from the event when it says, else from what the dashboard knows. */
export function historyEntry(event: SagaEvent, knownCustomerId: number | null, knownCurrency?: string): HistoryEntry {
  const fromEvent = 'customerId' in event.data ? event.data.customerId : null;
  return {
    eventId: event.eventId,
    reservationId: event.data.reservationId,
    customerId: fromEvent ?? knownCustomerId,
    type: event.type,
    occurredAt: event.occurredAt,
    summary: describe(event, knownCurrency),
    data: event.data,
  };
}
