// Application layer: each command goes through the one command handler (@airline/decider): load the
// reservation into the unit of work, decide, evolve, stage it, and put its events in the outbox.
import { randomBytes } from 'node:crypto';
import type { IntegrationEvent, Passenger, PaymentMethodSummary } from '@airline/contracts';
import { UnitOfWork, type Outcome, type Tx } from '@airline/database';
import { handleCommand, isRefused, type Handled } from '@airline/decider';
import { appendToOutbox, insertIntoOutbox, stampEvents, type Clock, type HandlerContext } from '@airline/outbox';
import {
  bookingReference,
  reservationDecider,
  type BookingLimits,
  type Reservation,
  type ReservationCommand,
  type ReservationEvent,
  type ReservationRejected,
  type ReservationState,
} from './reservation.js';
import {
  customerOnFlightKey,
  findBookingContexts,
  findReservationForUpdate,
  nextReservationIds,
  saveReservation,
  stageNewReservation,
} from './repository.js';

export type Emit = (correlationId: string, ...events: ReservationEvent[]) => Promise<void>;

export const emitFromHandler = (ctx: HandlerContext): Emit => ctx.emitFor;
export const emitFromRequest =
  (tx: Tx, causationId: string, clock: Clock): Emit =>
  async (correlationId, ...events) => {
    appendToOutbox(tx, events, { correlationId, causationId }, clock);
  };

export type ReservationHandled = Handled<ReservationState, ReservationEvent, ReservationRejected>;

/** Runs a command on an existing reservation (locked in the unit of work): its new state and events, or its refusal. */
export function execute(uow: UnitOfWork, reservationId: number, command: ReservationCommand, emit: Emit): Promise<ReservationHandled> {
  return handleCommand(
    reservationDecider,
    {
      store: { load: findReservationForUpdate, save: (uow, _id, reservation) => saveReservation(uow, reservation!) },
      emit: (id, events) => emit(String(id), ...events),
    },
    uow,
    reservationId,
    command,
  );
}

/** The same, for an inbound event: a refusal there is a failure (the event is retried, then parked). */
export async function executeOrFail(
  uow: UnitOfWork,
  reservationId: number,
  command: ReservationCommand,
  emit: Emit,
): Promise<Reservation | undefined> {
  const handled = await execute(uow, reservationId, command, emit);
  if ('refused' in handled) throw handled.refused;
  return handled.state;
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
 * Step 1 of the booking saga, for several requests in one unit of work (group commit; the caller's
 * transaction commits it). Each request is a PlaceReservation for the reservation decider: a refusal is
 * its answer (ReservationRejected), and everything a request can be refused for is decided before
 * anything is written, so the transaction fails only for reasons outside any one request. A refused
 * booking draws no id: the decision does not depend on the id, so the requests are decided first (the
 * seats a customer holds count the group's earlier placements), then ids are drawn for the placed ones
 * and the command handler places each with its id. Three round trips whatever the number of requests:
 * the flights and seats held, the ids, and the flushed writes with COMMIT. A booking reference that is
 * taken fails the transaction (isBookingReferenceTaken): the caller runs it again.
 */
export async function placeMany(tx: Tx, requests: PlaceRequest[], options: PlaceOptions): Promise<Outcome<Reservation>[]> {
  const uow = new UnitOfWork(tx);
  const { flights, heldSeats } = await findBookingContexts(tx, requests);
  const held = new Map(heldSeats);
  const decisions = requests.map((request) => {
    const key = customerOnFlightKey(request);
    const command = placeReservation(
      request,
      { reservationId: 0, bookingReference: '', flight: flights.get(request.flightId), heldSeats: held.get(key) ?? 0 },
      options,
    );
    const decision = reservationDecider.decide(command, undefined);
    if (!isRefused(decision)) held.set(key, command.heldSeats + request.seatQty);
    return { command, decision };
  });
  const ids = await nextReservationIds(tx, decisions.filter((d) => !isRefused(d.decision)).length);
  const draw = options.drawReference ?? randomReference;
  const outgoing: IntegrationEvent[] = [];
  let nextId = 0;
  const outcomes: Outcome<Reservation>[] = [];
  for (const [i, request] of requests.entries()) {
    const { command: admitted, decision } = decisions[i]!;
    if (isRefused(decision)) {
      outcomes.push({ refused: decision.refused });
      continue;
    }
    const command = { ...admitted, reservationId: ids[nextId++]!, bookingReference: draw() };
    const handled = await handleCommand(
      reservationDecider,
      {
        store: { load: async () => undefined, save: (uow, _id, reservation) => stageNewReservation(uow, reservation!) },
        emit: (id, events) =>
          void outgoing.push(
            ...stampEvents(
              events,
              { correlationId: String(id), causationId: request.causationId, traceparent: request.traceparent },
              options.clock,
            ),
          ),
      },
      uow,
      command.reservationId,
      command,
    );
    if ('refused' in handled)
      throw new Error(`reservation ${command.reservationId} was refused once its id was drawn: ${handled.refused.message}`);
    outcomes.push({ ok: handled.state! });
  }
  await uow.flush();
  insertIntoOutbox(tx, outgoing);
  return outcomes;
}

type PlaceReservation = Extract<ReservationCommand, { type: 'PlaceReservation' }>;

function placeReservation(
  request: PlaceRequest,
  known: Pick<PlaceReservation, 'reservationId' | 'bookingReference' | 'flight' | 'heldSeats'>,
  options: PlaceOptions,
): PlaceReservation {
  return {
    type: 'PlaceReservation',
    ...known,
    customerId: request.customerId,
    flightId: request.flightId,
    seatQty: request.seatQty,
    reserveDate: request.reserveDate,
    passengers: request.passengers,
    paymentMethod: request.paymentMethod,
    cardLast4: request.cardLast4,
    cardBrand: request.cardBrand,
    holdExpiresAt: new Date(request.now.getTime() + options.holdTtlMs).toISOString(),
    now: request.now,
    limits: options.limits,
  };
}
