// Inbound events of the notification service (SPEC step 10): every reservation status change becomes
// one stored notification; flight events only keep the flight's name for the messages.
import type { IntegrationEvent, ReservationCancelled, ReservationConfirmed, ReservationPlaced } from '@airline/contracts';
import type { UnitOfWork } from '@airline/database';
import type { EventHandlers, HandlerContext } from '@airline/outbox';
import { notificationFor } from './notification.js';
import { findFlight, insertNotification, prefetchFlights, upsertFlight } from './repository.js';

export interface NotificationHandlerOptions {
  /** Whether stored notifications are also due at the webhook. */
  webhook: boolean;
  /** Called once the transaction that stored a notification has committed (live streams, webhook worker). */
  onStored?: () => void;
}

/** The flights a batch's messages name, read in one statement. */
export const prefetchNotificationFlights = (uow: UnitOfWork, events: IntegrationEvent[]) =>
  prefetchFlights(
    uow,
    events.flatMap((e) => ('flightId' in e.data ? [e.data.flightId] : [])),
  );

export function notificationHandlers(options: NotificationHandlerOptions): EventHandlers {
  const notify = async (event: ReservationPlaced | ReservationConfirmed | ReservationCancelled, ctx: HandlerContext) => {
    insertNotification(ctx.uow, notificationFor(event, await findFlight(ctx.uow, event.data.flightId)), options.webhook);
    if (options.onStored) ctx.afterCommit(options.onStored); // a wake-up; nothing new (a replay) is fine
  };
  return {
    async FlightRegistered(event, { uow }) {
      upsertFlight(uow, event.data.flightId, { flightCode: event.data.flightCode, takeoffDate: event.data.takeoffDate });
    },
    async FlightCancelled(event, { uow }) {
      // each booking on it is told through its ReservationCancelled (reason FLIGHT_CANCELLED)
      upsertFlight(uow, event.data.flightId, { flightCode: event.data.flightCode });
    },
    ReservationPlaced: notify,
    ReservationConfirmed: notify,
    ReservationCancelled: notify,
  };
}
