// Inbound events of the flight service: the seat side of the booking saga. Each event is a command for
// the seat decider (domain.ts), run by the one command handler on the reservation's hold and its
// flight's row, both locked in the batch's unit of work.
import type { IntegrationEvent } from '@airline/contracts';
import type { UnitOfWork } from '@airline/database';
import { handleCommand } from '@airline/decider';
import type { EventHandlers, HandlerContext } from '@airline/outbox';
import { seatDecider, toPublish, type SeatCommand } from './domain.js';
import { loadSeats, lockSeats, saveSeats, type SeatKey } from './repository.js';

/**
 * The seat handlers lock the flight's row: a batch applies its events in flight order, so replicas
 * handling batches over the same flights cannot deadlock.
 */
export const seatLockOrder = (event: IntegrationEvent) => ('flightId' in event.data ? event.data.flightId : 0);

/** The holds of a batch's reservations, then the flights its placements and cancellations touch: locked and loaded in one statement each. */
export const prefetchSeats = (uow: UnitOfWork, events: IntegrationEvent[]) =>
  lockSeats(
    uow,
    events.flatMap((e) => ('reservationId' in e.data ? [e.data.reservationId] : [])),
    events.flatMap((e) => (e.type === 'ReservationPlaced' || e.type === 'ReservationCancelled' ? [e.data.flightId] : [])),
  );

async function seats(ctx: HandlerContext, key: SeatKey, command: SeatCommand) {
  const handled = await handleCommand(
    seatDecider,
    { store: { load: loadSeats, save: saveSeats }, emit: (_key, events) => ctx.emit(...toPublish(events)) },
    ctx.uow,
    key,
    command,
  );
  if ('refused' in handled) throw new Error(handled.refused.message); // an event for a flight this service does not know: retried, then parked
}

export const seatHandlers: EventHandlers = {
  /** Step 2: hold the seats, or answer that they are sold out. */
  ReservationPlaced: (event, ctx) =>
    seats(ctx, { reservationId: event.data.reservationId, flightId: event.data.flightId }, { type: 'HoldSeats', placed: event.data }),
  /** Step 5: the held seats are sold. */
  ReservationConfirmed: (event, ctx) =>
    seats(ctx, { reservationId: event.data.reservationId }, { type: 'SellSeats', reservationId: event.data.reservationId }),
  /** Compensation: give held or sold seats back; a cancel that overtakes its placement leaves a tombstone. */
  ReservationCancelled: (event, ctx) =>
    seats(ctx, { reservationId: event.data.reservationId, flightId: event.data.flightId }, { type: 'ReleaseSeats', cancelled: event.data }),
};
