// Notification rules, pure (SPEC step 10): which reservation status change tells the customer what,
// in plain words, and when a webhook delivery is tried again.
import {
  formatDate,
  formatMoney,
  formatPassengers,
  UNSTATED_CURRENCY,
  type CancelReason,
  type ReservationCancelled,
  type ReservationConfirmed,
  type ReservationPlaced,
} from '@airline/contracts';

export type NotificationKind = 'RESERVATION_PLACED' | 'RESERVATION_CONFIRMED' | 'RESERVATION_CANCELLED' | 'FLIGHT_CANCELLED';

/** What the notification service knows of a flight (from FlightRegistered), to name it in messages. */
export interface FlightLabel {
  flightCode: string;
  /** '' when only its cancellation was seen. */
  takeoffDate: string;
}

export interface NewNotification {
  customerId: number;
  reservationId: number;
  bookingReference: string;
  kind: NotificationKind;
  title: string;
  message: string;
  /** The cancel reason code for a cancellation, else null. */
  reason: CancelReason | null;
  eventId: string;
  occurredAt: string;
}

type StatusChange = ReservationPlaced | ReservationConfirmed | ReservationCancelled;

/** Why a booking was cancelled, said to the customer. */
export function reasonInWords(reason: CancelReason): string {
  switch (reason) {
    case 'SOLD_OUT':
      return 'there were not enough seats left on the flight';
    case 'PAYMENT_DECLINED':
      return 'your card payment was declined';
    case 'PAYMENT_TIMEOUT':
      return 'the payment was not completed in time, so the held seats were released';
    case 'CUSTOMER':
      return 'you cancelled it';
    case 'FLIGHT_CANCELLED':
      return 'the airline cancelled the flight';
    default: {
      const unknown: never = reason;
      throw new Error(`no words for cancel reason ${String(unknown)}`);
    }
  }
}

const seats = (n: number) => `${n} seat${n === 1 ? '' : 's'}`;
const flightName = (flightId: number, flight: FlightLabel | undefined) =>
  flight
    ? `flight ${flight.flightCode}${flight.takeoffDate ? ` on ${formatDate(flight.takeoffDate.slice(0, 10))}` : ''}`
    : `flight ${flightId}`;
/** The amount of a status change, in its currency (events from before fares had one: KRW). */
const money = (d: { amount: number; currency?: string }) => formatMoney(d.amount, d.currency ?? UNSTATED_CURRENCY);
/** Who flies: the named passengers and the seats still to be named. */
const who = (d: { seatQty: number; passengers?: Array<{ givenName: string; familyName: string }> }) =>
  ` Passengers: ${formatPassengers(d.passengers ?? [], d.seatQty)}.`;

/** The one notification a reservation status change gives its customer. */
export function notificationFor(event: StatusChange, flight: FlightLabel | undefined): NewNotification {
  const d = event.data;
  const base = {
    customerId: d.customerId,
    reservationId: d.reservationId,
    bookingReference: d.bookingReference,
    eventId: event.eventId,
    occurredAt: event.occurredAt,
  };
  const on = flightName(d.flightId, flight);
  switch (event.type) {
    case 'ReservationPlaced':
      return {
        ...base,
        kind: 'RESERVATION_PLACED',
        reason: null,
        title: 'Booking received',
        message: `We received your booking ${d.bookingReference} for ${seats(d.seatQty)} on ${on}. We are holding the seats and taking the payment of ${money(d)}.${who(d)}`,
      };
    case 'ReservationConfirmed':
      return {
        ...base,
        kind: 'RESERVATION_CONFIRMED',
        reason: null,
        title: 'Booking confirmed',
        message: `Your booking ${d.bookingReference} for ${seats(d.seatQty)} on ${on} is confirmed. You paid ${money(d)}.${who(d)}`,
      };
    case 'ReservationCancelled': {
      const c = event.data;
      const refund = c.previousStatus === 'CONFIRMED' ? ` Your payment of ${money(c)} will be refunded.` : ' You will not be charged.';
      if (c.reason === 'FLIGHT_CANCELLED') {
        return {
          ...base,
          kind: 'FLIGHT_CANCELLED',
          reason: c.reason,
          title: 'Flight cancelled',
          message: `The airline cancelled ${on}. Your booking ${c.bookingReference} is cancelled.${refund}${who(c)}`,
        };
      }
      return {
        ...base,
        kind: 'RESERVATION_CANCELLED',
        reason: c.reason,
        title: 'Booking cancelled',
        message: `Your booking ${c.bookingReference} for ${seats(c.seatQty)} on ${on} was cancelled because ${reasonInWords(c.reason)}.${refund}${who(c)}`,
      };
    }
    default: {
      const unknown: never = event;
      throw new Error(`no notification for ${JSON.stringify(unknown)}`);
    }
  }
}

// ---- webhook delivery ----

export type WebhookStatus = 'DISABLED' | 'PENDING' | 'DELIVERED' | 'FAILED';

export type WebhookResult = { outcome: 'delivered'; status: number } | { outcome: 'failed'; error: string; retryable: boolean };

export interface WebhookAttempt {
  status: WebhookStatus;
  /** When to try again (PENDING only). */
  nextAttemptAt: Date | null;
  lastError: string | null;
}

/**
 * After the attempt-th POST of a notification: delivered, tried again after a backoff, or given up
 * (after maxAttempts, or at once when the receiver refuses it for good, e.g. 400 or 410).
 */
export function afterWebhookAttempt(
  result: WebhookResult,
  attempt: number,
  maxAttempts: number,
  now: Date,
  backoff: (attempt: number) => number,
): WebhookAttempt {
  if (result.outcome === 'delivered') return { status: 'DELIVERED', nextAttemptAt: null, lastError: null };
  if (!result.retryable || attempt >= maxAttempts) return { status: 'FAILED', nextAttemptAt: null, lastError: result.error };
  return { status: 'PENDING', nextAttemptAt: new Date(now.getTime() + backoff(attempt)), lastError: result.error };
}

/** Which answers of a webhook receiver are worth trying again: no answer, 408, 429 and 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
