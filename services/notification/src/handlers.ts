// Inbound events of the notification service (SPEC step 10): every reservation status change becomes
// one stored notification; flight events only keep the flight's name for the messages.
import type { ReservationCancelled, ReservationConfirmed, ReservationPlaced } from '@airline/contracts';
import type { EventHandlers, HandlerContext } from '@airline/outbox';
import { notificationFor } from './notification.js';
import { findFlight, insertNotification, upsertFlight } from './repository.js';

export function notificationHandlers(options: { webhook: boolean }): EventHandlers {
  const notify = async (event: ReservationPlaced | ReservationConfirmed | ReservationCancelled, { tx }: HandlerContext) => {
    await insertNotification(tx, notificationFor(event, await findFlight(tx, event.data.flightId)), options.webhook);
  };
  return {
    async FlightRegistered(event, { tx }) {
      await upsertFlight(tx, event.data.flightId, { flightCode: event.data.flightCode, takeoffDate: event.data.takeoffDate });
    },
    async FlightCancelled(event, { tx }) {
      // each booking on it is told through its ReservationCancelled (reason FLIGHT_CANCELLED)
      await upsertFlight(tx, event.data.flightId, { flightCode: event.data.flightCode });
    },
    ReservationPlaced: notify,
    ReservationConfirmed: notify,
    ReservationCancelled: notify,
  };
}
