// What staff tables show instead of raw ids: a customer by their username(s) (the gateway's users),
// a booking by its reference, a flight board's latest activity in words.
import type { FlightBoardEntry, User } from './types';

/** `alex`, `alex, minji` when several users act as one customer, or `customer 7` when no user does. */
export function customerLabel(users: readonly User[] | undefined, customerId: number | null): string {
  if (customerId === null) return '—';
  const names = (users ?? []).filter((u) => u.customerId === customerId).map((u) => u.username);
  return names.length > 0 ? names.join(', ') : `customer ${customerId}`;
}

const ACTIVITY: Record<string, string> = {
  FlightRegistered: 'Flight registered',
  FlightCancelled: 'Flight cancelled by the airline',
  ReservationPlaced: 'Booking placed',
  SeatsReserved: 'Seats held',
  SeatsSoldOut: 'Turned away: not enough seats',
  PaymentApproved: 'Payment approved',
  PaymentDeclined: 'Payment declined',
  ReservationConfirmed: 'Booking confirmed',
  ReservationCancelled: 'Booking cancelled',
  SeatsReleased: 'Seats released',
  PaymentRefunded: 'Payment refunded',
  PassengersNamed: 'Passengers named',
};

/** A flight's latest activity in words, naming the booking by its reference (`Seats held · booking K7QX2M`). */
export function activityText(
  activity: NonNullable<FlightBoardEntry['lastActivity']>,
  referenceOf: (reservationId: number) => string | undefined,
): string {
  const what = ACTIVITY[activity.type] ?? activity.summary;
  if (activity.reservationId === null) return what;
  const reference = referenceOf(activity.reservationId);
  return reference ? `${what} · booking ${reference}` : what;
}
