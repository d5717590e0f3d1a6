// Inbound events of the reservation service: the flight catalog copy and the saga's answers.
import type { EventHandlers, HandlerContext } from '@airline/outbox';
import type { IntegrationEvent } from '@airline/contracts';
import type { UnitOfWork } from '@airline/database';
import { flightCancelled, sagaReaction } from './booking-saga.js';
import { executeOrFail } from './commands.js';
import { activeReservationIdsOnFlight, lockReservations, markCatalogFlightCancelled, upsertCatalogFlight } from './repository.js';

async function react(event: IntegrationEvent, ctx: HandlerContext) {
  const step = sagaReaction(event);
  if (step) await executeOrFail(ctx.uow, step.reservationId, step.command, ctx.emitFor);
}

/** The reservations a batch's saga answers act on, locked and loaded into its unit of work in one statement. */
export const prefetchSagaReservations = (uow: UnitOfWork, events: IntegrationEvent[]) =>
  lockReservations(
    uow,
    events.flatMap((e) => sagaReaction(e)?.reservationId ?? []),
  );

export const reservationHandlers: EventHandlers = {
  async FlightRegistered(event, { tx }) {
    const f = event.data;
    await upsertCatalogFlight(tx, {
      flightId: f.flightId,
      flightCode: f.flightCode,
      takeoffDate: f.takeoffDate,
      cost: f.cost,
      currency: f.currency,
      bookingClosesAt: f.bookingClosesAt,
      status: 'SCHEDULED',
    });
  },
  /** Step 8: the flight is gone; so is every active reservation on it. */
  async FlightCancelled(event, ctx) {
    await markCatalogFlightCancelled(ctx.tx, event.data.flightId, event.data.flightCode);
    const ids = await activeReservationIdsOnFlight(ctx.tx, event.data.flightId);
    await lockReservations(ctx.uow, ids); // read them all at once
    for (const id of ids) {
      await executeOrFail(ctx.uow, id, flightCancelled(), ctx.emitFor);
    }
  },
  SeatsSoldOut: react,
  PaymentApproved: react,
  PaymentDeclined: react,
};
