// Plain words for what the API says in codes. Pure functions: ui/test/format.unit.spec.ts.
import type { Flight, Reservation } from './types';

/** Why a booking was cancelled, in the words a customer reads ("sold out", "payment declined: card_declined"). */
export function cancelReasonText(reason: string | null | undefined, declineReason?: string | null, audience: 'customer' | 'staff' = 'customer'): string {
  switch (reason) {
    case 'SOLD_OUT':
      return 'sold out';
    case 'PAYMENT_DECLINED':
      return declineReason ? `payment declined: ${declineReason}` : 'payment declined';
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

export function statusText(r: Pick<Reservation, 'status' | 'cancelReason'>, declineReason?: string | null, audience: 'customer' | 'staff' = 'customer'): string {
  switch (r.status) {
    case 'PENDING':
      return 'Pending';
    case 'CONFIRMED':
      return 'Confirmed';
    case 'CANCELED':
      return `Canceled — ${cancelReasonText(r.cancelReason, declineReason, audience)}`;
  }
}

export const isActive = (r: Pick<Reservation, 'status'>) => r.status === 'PENDING' || r.status === 'CONFIRMED';

/** What cancelling a flight will do: the bookings on it still active, and their seats. */
export function activeBookings(reservations: Array<Pick<Reservation, 'status' | 'seatQty'>>): { bookings: number; seats: number } {
  const active = reservations.filter(isActive);
  return { bookings: active.length, seats: active.reduce((sum, r) => sum + r.seatQty, 0) };
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function formatMoney(amount: number): string {
  return amount.toLocaleString('en-US');
}

/** `2025-12-25` or an ISO instant → `25 Dec 2025` (dates without a time are shown as written, not shifted by time zone). */
export function formatDate(value: string): string {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = day ? new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]))) : new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return date.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', ...(day ? { timeZone: 'UTC' } : {}) });
}

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
export function bucketOutcomes(events: Array<{ at: number; kind: 'placed' | 'confirmed' | 'canceled' }>, now: number, bucketMs: number, count: number): OutcomeBucket[] {
  const end = Math.floor(now / bucketMs) * bucketMs + bucketMs;
  const first = end - bucketMs * count;
  const buckets: OutcomeBucket[] = Array.from({ length: count }, (_, i) => ({ start: first + i * bucketMs, placed: 0, confirmed: 0, canceled: 0 }));
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
