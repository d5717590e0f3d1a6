// The booking saga as the reservation service sees it: each inbound event becomes a command on one
// reservation (choreography). Compensation is an ordinary command: CancelReservation with a reason.
import type { IntegrationEvent } from '@airline/contracts';
import type { ReservationCommand } from './reservation.js';

export type SagaStep = { reservationId: number; command: ReservationCommand } | null;

export function sagaReaction(event: IntegrationEvent): SagaStep {
  switch (event.type) {
    case 'SeatsSoldOut': // step 3
      return { reservationId: event.data.reservationId, command: { type: 'CancelReservation', reason: event.data.reason } };
    case 'PaymentApproved': // step 5
      return { reservationId: event.data.reservationId, command: { type: 'ConfirmReservation' } };
    case 'PaymentDeclined': // step 5, failure: seats are released by the flight on ReservationCancelled
      return { reservationId: event.data.reservationId, command: { type: 'CancelReservation', reason: 'PAYMENT_DECLINED' } };
    default:
      return null;
  }
}

/** Step 6: a hold not paid in time. */
export const holdExpired = (): ReservationCommand => ({ type: 'CancelReservation', reason: 'PAYMENT_TIMEOUT' });

/** Step 8: every active reservation of a cancelled flight. */
export const flightCancelled = (): ReservationCommand => ({ type: 'CancelReservation', reason: 'FLIGHT_CANCELLED' });

/** Step 7: the customer cancels. */
export const customerCancelled = (): ReservationCommand => ({ type: 'CancelReservation', reason: 'CUSTOMER' });
