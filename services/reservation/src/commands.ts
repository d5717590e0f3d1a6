// Application layer: load a reservation, decide, evolve, save, and put the events in the outbox, all in
// the caller's transaction.
import { randomBytes } from 'node:crypto';
import type { Sql, Tx } from '@airline/database';
import { appendToOutbox, type Clock, type HandlerContext } from '@airline/outbox';
import { assertBookable, bookingReference, decide, evolve, type Reservation, type ReservationCommand, type ReservationEvent } from './reservation.js';
import { findCatalogFlight, findReservationForUpdate, insertReservation, nextReservationId, saveReservation } from './repository.js';

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

export interface PlaceInput {
  customerId: number;
  flightId: number;
  seatQty: number;
  reserveDate: string;
  card: string;
}

/** Step 1 of the booking saga: the reservation is PENDING and ReservationPlaced is in the outbox. */
export async function place(tx: Tx, input: PlaceInput, now: Date, holdTtlMs: number, emit: Emit): Promise<Reservation> {
  const flight = await findCatalogFlight(tx, input.flightId);
  assertBookable(input.flightId, flight); // before drawing an id: a refused booking leaves no gap in the ids
  const reservationId = await nextReservationId(tx);
  for (;;) {
    const events = decide(undefined, {
      type: 'PlaceReservation',
      reservationId,
      bookingReference: bookingReference(randomBytes(6)),
      customerId: input.customerId,
      flightId: input.flightId,
      flight,
      seatQty: input.seatQty,
      reserveDate: input.reserveDate,
      card: input.card,
      holdExpiresAt: new Date(now.getTime() + holdTtlMs).toISOString(),
    });
    const reservation = events.reduce<Reservation | undefined>(evolve, undefined)!;
    if (!(await insertReservation(tx, reservation))) continue; // booking reference taken: draw again
    await emit(String(reservationId), ...events);
    return reservation;
  }
}
