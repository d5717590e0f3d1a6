// Application layer: load a reservation, decide, evolve, save, and put the events in the outbox, all in
// the caller's transaction.
import { randomBytes } from 'node:crypto';
import type { IntegrationEvent, Passenger, PaymentMethodSummary } from '@airline/contracts';
import type { Outcome, Tx } from '@airline/database';
import { appendToOutbox, insertIntoOutbox, stampEvents, type Clock, type HandlerContext } from '@airline/outbox';
import { bookingReference, decide, evolve, passengersRefusal, placementRefusal, type BookingLimits, type Reservation, type ReservationCommand, type ReservationEvent } from './reservation.js';
import { customerOnFlightKey, findBookingContexts, findReservationForUpdate, insertReservations, nextReservationIds, saveReservation } from './repository.js';

export type Emit = (correlationId: string, ...events: ReservationEvent[]) => Promise<void>;

export const emitFromHandler = (ctx: HandlerContext): Emit => ctx.emitFor;
export const emitFromRequest = (tx: Tx, causationId: string, clock: Clock): Emit => async (correlationId, ...events) => {
  appendToOutbox(tx, events, { correlationId, causationId }, clock);
};

/** Runs a command on an existing reservation; returns its new state (unchanged when nothing happened). */
export async function execute(tx: Tx, reservationId: number, command: ReservationCommand, emit: Emit): Promise<Reservation> {
  const state = await findReservationForUpdate(tx, reservationId);
  const events = decide(state, command);
  const next = events.reduce<Reservation | undefined>(evolve, state)!;
  if (events.length > 0) {
    saveReservation(tx, next);
    await emit(String(reservationId), ...events);
  }
  return next;
}

/** What to book; the card is already a token (payment-methods.ts). */
export interface PlaceInput extends PaymentMethodSummary {
  customerId: number;
  flightId: number;
  seatQty: number;
  reserveDate: string;
  /** Named passengers, at most one per seat (the other seats are to be named). */
  passengers: Passenger[];
}

/** One booking request: what to book, when it was asked, and what caused it (the HTTP request id). */
export interface PlaceRequest extends PlaceInput {
  now: Date;
  causationId: string;
  /** The request's span (W3C traceparent), when tracing is on: its ReservationPlaced continues that trace. */
  traceparent?: string;
}

export interface PlaceOptions {
  holdTtlMs: number;
  clock: Clock;
  limits: BookingLimits;
  /** A fresh booking reference (random; tests may draw their own). */
  drawReference?: () => string;
}

const randomReference = () => bookingReference(randomBytes(6));

/**
 * Step 1 of the booking saga, for several requests in one transaction (group commit): each bookable
 * request gets a PENDING reservation and its ReservationPlaced in the outbox; each other one is refused
 * (ReservationRejected), without an id drawn. Every refusal a request can earn on its own is decided
 * here, before anything is written, so the transaction fails only for reasons outside any one request.
 * Three round trips whatever the number of requests: the flights and seats held, the ids, and the
 * writes with COMMIT. A booking reference that is taken fails the transaction (isBookingReferenceTaken):
 * the caller runs it again.
 */
export async function placeMany(tx: Tx, requests: PlaceRequest[], options: PlaceOptions): Promise<Outcome<Reservation>[]> {
  const { flights, heldSeats } = await findBookingContexts(tx, requests);
  // the seats a customer holds on a flight count the group's own earlier bookings too
  const held = new Map(heldSeats);
  const placements = requests.map((r) => {
    const key = customerOnFlightKey(r);
    const heldSeats = held.get(key) ?? 0;
    const refused = placementRefusal({ flightId: r.flightId, flight: flights.get(r.flightId), seatQty: r.seatQty, heldSeats, limits: options.limits, now: r.now }) ?? passengersRefusal(r.passengers, r.seatQty);
    if (!refused) held.set(key, heldSeats + r.seatQty);
    return { refused, heldSeats };
  });
  const ids = await nextReservationIds(tx, placements.filter((p) => p.refused === undefined).length); // a refused booking draws no id
  const draw = options.drawReference ?? randomReference;
  const placed: Reservation[] = [];
  const outgoing: IntegrationEvent[] = [];
  let nextId = 0;
  const outcomes = requests.map((request, i): Outcome<Reservation> => {
    const { refused, heldSeats } = placements[i]!;
    if (refused) return { refused };
    const events = decide(undefined, {
      type: 'PlaceReservation',
      reservationId: ids[nextId++]!,
      bookingReference: draw(),
      customerId: request.customerId,
      flightId: request.flightId,
      flight: flights.get(request.flightId),
      seatQty: request.seatQty,
      reserveDate: request.reserveDate,
      passengers: request.passengers,
      paymentMethod: request.paymentMethod,
      cardLast4: request.cardLast4,
      cardBrand: request.cardBrand,
      holdExpiresAt: new Date(request.now.getTime() + options.holdTtlMs).toISOString(),
      now: request.now,
      heldSeats,
      limits: options.limits,
    });
    const reservation = events.reduce<Reservation | undefined>(evolve, undefined)!;
    placed.push(reservation);
    outgoing.push(...stampEvents(events, { correlationId: String(reservation.id), causationId: request.causationId, traceparent: request.traceparent }, options.clock));
    return { ok: reservation };
  });
  insertReservations(tx, placed);
  insertIntoOutbox(tx, outgoing);
  return outcomes;
}
