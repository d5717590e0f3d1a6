// Inbound events of the reservation service: the flight catalog copy and the saga's answers.
import type { EventHandlers, HandlerContext } from '@airline/outbox';
import type { IntegrationEvent } from '@airline/contracts';
import { flightCancelled, sagaReaction } from './booking-saga.js';
import { execute } from './commands.js';
import { activeReservationIdsOnFlight, markCatalogFlightCancelled, upsertCatalogFlight } from './repository.js';

async function react(event: IntegrationEvent, ctx: HandlerContext) {
  const step = sagaReaction(event);
  if (step) await execute(ctx.tx, step.reservationId, step.command, ctx.emitFor);
}

export const reservationHandlers: EventHandlers = {
  async FlightRegistered(event, { tx }) {
    const f = event.data;
    await upsertCatalogFlight(tx, { flightId: f.flightId, flightCode: f.flightCode, takeoffDate: f.takeoffDate, cost: f.cost, status: 'SCHEDULED' });
  },
  /** Step 8: the flight is gone; so is every active reservation on it. */
  async FlightCancelled(event, ctx) {
    await markCatalogFlightCancelled(ctx.tx, event.data.flightId, event.data.flightCode);
    for (const id of await activeReservationIdsOnFlight(ctx.tx, event.data.flightId)) {
      await execute(ctx.tx, id, flightCancelled(), ctx.emitFor);
    }
  },
  SeatsSoldOut: react,
  PaymentApproved: react,
  PaymentDeclined: react,
};
