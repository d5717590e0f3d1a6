// Plain words for what the API says in codes. Pure functions: ui/test/format.unit.spec.ts.
import { formatDate as formatDay, formatLocalTime, formatMoney as formatAmount } from '@airline/contracts/display';
import type { Flight, Reservation } from './types';

/** A processor's decline code, in words. */
export function declineText(code: string | null | undefined): string {
  switch (code) {
    case 'card_declined':
      return 'the card was declined';
    case 'insufficient_funds':
      return 'not enough funds on the card';
    case 'expired_card':
      return 'the card has expired';
    case 'incorrect_cvc':
      return 'the security code was wrong';
    case 'processing_error':
      return 'the card processor had an error';
    case null:
    case undefined:
    case '':
      return '';
    default:
      return code.replace(/_/g, ' ');
  }
}

/** Why a booking was cancelled, in the words a customer reads ("sold out", "payment declined: card_declined"). */
export function cancelReasonText(
  reason: string | null | undefined,
  declineReason?: string | null,
  audience: 'customer' | 'staff' = 'customer',
): string {
  switch (reason) {
    case 'SOLD_OUT':
      return 'sold out';
    case 'PAYMENT_DECLINED':
      return declineReason ? `payment declined: ${declineText(declineReason)}` : 'payment declined';
    case 'PAYMENT_TIMEOUT':
      return 'payment not completed in time';
    case 'CUSTOMER':
      return audience === 'customer' ? 'cancelled by you' : 'cancelled by the customer';
    case 'FLIGHT_CANCELLED':
      return 'the airline cancelled the flight';
    case null:
    case undefined:
      return 'cancelled';
    default:
      return reason.toLowerCase().replace(/_/g, ' ');
  }
}

export function statusText(
  r: Pick<Reservation, 'status' | 'cancelReason'>,
  declineReason?: string | null,
  audience: 'customer' | 'staff' = 'customer',
): string {
  switch (r.status) {
    case 'PENDING':
      return 'Pending';
    case 'CONFIRMED':
      return 'Confirmed';
    case 'CANCELED':
      return `Cancelled — ${cancelReasonText(r.cancelReason, declineReason, audience)}`;
  }
}

export const isActive = (r: Pick<Reservation, 'status'>) => r.status === 'PENDING' || r.status === 'CONFIRMED';

/** What cancelling a flight will do: the bookings on it still active, and their seats. */
export function activeBookings(reservations: Array<Pick<Reservation, 'status' | 'seatQty'>>): { bookings: number; seats: number } {
  const active = reservations.filter(isActive);
  return { bookings: active.length, seats: active.reduce((sum, r) => sum + r.seatQty, 0) };
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Minor units of a currency (KRW when the API states none: the seeds' fares), as everywhere else: `₩400,000`. */
export function formatMoney(amount: number, currency = 'KRW'): string {
  return formatAmount(amount, currency);
}

/** `2025-12-25` or an ISO instant → `25 Dec 2025` (dates without a time are shown as written, not shifted by time zone). */
export function formatDate(value: string): string {
  return formatDay(
    value.length > 10 && !/[Zz]|[+-]\d{2}:\d{2}$/.test(value) ? value.slice(0, 10) : value,
    Intl.DateTimeFormat().resolvedOptions().timeZone,
  );
}

/** When a flight leaves, as its airport's clocks show it: `10 Jan 2027, 10:00 (Asia/Seoul)`; a flight in the seeds' shape: its day. */
export function formatDeparture(f: Pick<Flight, 'takeoffDate' | 'departure'>): string {
  return f.departure ? `${formatLocalTime(f.departure.local)} (${f.departure.timeZone})` : formatDate(f.takeoffDate);
}

/**
 * What a booking PENDING for long says (after 10 s): how long it has been, how long the seats stay
 * held, and that the customer will be notified; nothing before 10 s.
 */
export function pendingNote(elapsedMs: number, holdLeftMs: number): string {
  if (elapsedMs < 10_000) return '';
  const minutes = Math.max(0, Math.floor(holdLeftMs / 60_000));
  const seconds = Math.max(0, Math.floor((holdLeftMs % 60_000) / 1000));
  return `The payment is taking longer than usual (${Math.floor(elapsedMs / 1000)} s so far). Your seats stay held for ${minutes} min ${String(seconds).padStart(2, '0')} s; we'll notify you when it is done, and you may leave this page.`;
}

/** Whether a flight still takes bookings: scheduled, and before its booking closes (a departed flight is hidden). */
export const onSale = (f: Pick<Flight, 'status' | 'bookingClosesAt'>, now = Date.now()) =>
  f.status === 'SCHEDULED' && (f.bookingClosesAt === undefined || Date.parse(f.bookingClosesAt) > now);

export function formatDateTime(value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleString('en-GB', { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** A duration between two saga steps: `85 ms`, `1.4 s`, `2 min 5 s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const min = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s ? `${min} min ${s} s` : `${min} min`;
}

export interface FlightFilter {
  text: string;
  /** yyyy-mm-dd: flights on or after this day */
  from: string;
  withSeatsOnly: boolean;
}

export function filterFlights(flights: Flight[], f: FlightFilter): Flight[] {
  const text = f.text.trim().toLowerCase();
  return flights.filter(
    (flight) =>
      (!text || flight.flightCode.toLowerCase().includes(text)) &&
      (!f.from || flight.takeoffDate.slice(0, 10) >= f.from) &&
      (!f.withSeatsOnly || (flight.status === 'SCHEDULED' && flight.remainingSeatsCount > 0)),
  );
}

export interface OutcomeBucket {
  /** start of the bucket, epoch ms */
  start: number;
  placed: number;
  confirmed: number;
  canceled: number;
}

/**
 * Bookings and their outcomes over time for the staff chart: every event is counted in the bucket of
 * the time it happened, buckets of `bucketMs`, the last `count` buckets up to `now`.
 */
export function bucketOutcomes(
  events: Array<{ at: number; kind: 'placed' | 'confirmed' | 'canceled' }>,
  now: number,
  bucketMs: number,
  count: number,
): OutcomeBucket[] {
  const end = Math.floor(now / bucketMs) * bucketMs + bucketMs;
  const first = end - bucketMs * count;
  const buckets: OutcomeBucket[] = Array.from({ length: count }, (_, i) => ({
    start: first + i * bucketMs,
    placed: 0,
    confirmed: 0,
    canceled: 0,
  }));
  for (const e of events) {
    if (e.at < first || e.at >= end) continue;
    const b = buckets[Math.floor((e.at - first) / bucketMs)];
    if (b) b[e.kind] += 1;
  }
  return buckets;
}

/** A bucket size that shows `span` ms of history in at most `count` bars, rounded to a readable unit. */
export function chooseBucket(spanMs: number, count: number): number {
  const units = [1_000, 5_000, 10_000, 30_000, 60_000, 5 * 60_000, 15 * 60_000, 60 * 60_000, 6 * 60 * 60_000, 24 * 60 * 60_000];
  const wanted = spanMs / count;
  return units.find((u) => u >= wanted) ?? units[units.length - 1]!;
}

/** How many bars: enough to cover from the oldest event to now, at least `min`, at most `max`. */
export function bucketCount(spanMs: number, bucketMs: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.ceil(spanMs / bucketMs) + 1));
}

/**
 * Whether a live notification gets a toast: not the user's own action told back to them (the booking
 * they just placed, the cancel they just made); news they did not cause (confirmed, declined, the
 * airline cancelled the flight) does.
 */
export function worthAToast(n: { kind: string; reason: string | null }): boolean {
  if (n.kind === 'RESERVATION_PLACED') return false;
  return !(n.kind === 'RESERVATION_CANCELLED' && n.reason === 'CUSTOMER');
}
