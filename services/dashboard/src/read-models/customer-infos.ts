// customerInfos (seed 000): one summary row per reservation (dashboard_reservations), and per customer
// the sums of those summaries (customer_infos). Status events only; a summary's status moves forward.
import { rowKind, writeKind, type UnitOfWork } from '@airline/database';
import { customerInfoChange, evolveSummary, isNoChange, type ReservationStatusEvent, type ReservationSummary } from '../projections.js';
import { defineProjection } from './projection.js';

type SummaryRow = {
  reservation_id: number;
  customer_id: number;
  flight_id: number;
  booking_reference: string;
  seat_qty: number;
  amount: string | number;
  currency: string;
  reserve_date: string;
  status: ReservationSummary['status'];
  cancel_reason: string | null;
};

const toSummary = (r: SummaryRow): ReservationSummary => ({
  reservationId: r.reservation_id,
  customerId: r.customer_id,
  flightId: r.flight_id,
  bookingReference: r.booking_reference,
  seatQty: r.seat_qty,
  amount: Number(r.amount),
  currency: r.currency,
  reserveDate: r.reserve_date,
  status: r.status,
  cancelReason: r.cancel_reason,
});

// the summaries this unit of work read or wrote
const summaries = rowKind<number, ReservationSummary>('dashboard reservations', async (tx, ids) =>
  (await tx.query<SummaryRow>('SELECT * FROM dashboard_reservations WHERE reservation_id = ANY($1::int[])', [ids])).rows.map((r) => [
    r.reservation_id,
    toSummary(r),
  ]),
);

/** A reservation's summary as the dashboard knows it so far in this unit of work (undefined: not known yet). */
export const findSummary = (uow: UnitOfWork, reservationId: number) => uow.get(summaries, reservationId);

interface CustomerSums {
  flightCount: number;
  confirmedCount: number;
  cancelledCount: number;
  reserveDate: string | null;
}

/** Reservations whose summary changed, and how it is now (the last one staged is the truth). */
const summaryWrites = writeKind<ReservationSummary>(
  'dashboard reservation summaries',
  `INSERT INTO dashboard_reservations (reservation_id, customer_id, flight_id, booking_reference, seat_qty, amount, reserve_date, status, cancel_reason, currency)
   SELECT * FROM jsonb_to_recordset($1::jsonb) AS x("reservationId" integer, "customerId" integer, "flightId" integer, "bookingReference" text, "seatQty" integer, amount bigint, "reserveDate" text, status text, "cancelReason" text, currency text)
   ON CONFLICT (reservation_id) DO UPDATE SET status = EXCLUDED.status, cancel_reason = EXCLUDED.cancel_reason`,
  (s) => s.reservationId,
);

type CustomerRow = CustomerSums & { customerId: number };
/** What the unit of work's changes add to each customer's counts (staged again, whole, as they add up). */
const customerWrites = writeKind<CustomerRow>(
  'customer infos',
  `INSERT INTO customer_infos (customer_id, flight_count, recent_reserve_date, confirmed_count, cancelled_count)
   SELECT x."customerId", x."flightCount", x."reserveDate", x."confirmedCount", x."cancelledCount"
   FROM jsonb_to_recordset($1::jsonb) AS x("customerId" integer, "flightCount" integer, "reserveDate" text, "confirmedCount" integer, "cancelledCount" integer)
   ON CONFLICT (customer_id) DO UPDATE SET
     flight_count = customer_infos.flight_count + EXCLUDED.flight_count,
     recent_reserve_date = GREATEST(customer_infos.recent_reserve_date COLLATE "C", EXCLUDED.recent_reserve_date COLLATE "C"),
     confirmed_count = customer_infos.confirmed_count + EXCLUDED.confirmed_count,
     cancelled_count = customer_infos.cancelled_count + EXCLUDED.cancelled_count`,
  (c) => c.customerId,
);
/** The sums staged for a customer and not flushed yet (none known: start from zero; nothing is read). */
const stagedSums = rowKind<number, CustomerRow>('customer sums staged', async () => []);

async function apply(uow: UnitOfWork, event: ReservationStatusEvent) {
  const before = await findSummary(uow, event.data.reservationId);
  const after = evolveSummary(before, event);
  if (before && before.status === after.status) return;
  uow.remember(summaries, after.reservationId, after);
  uow.stage(summaryWrites, after);
  const change = customerInfoChange(before, after);
  if (isNoChange(change)) return;
  // counts are added (commutative); recentReserveDate is the latest ISO date seen (seed 000 keeps the newest)
  const staged = uow.isStaged(customerWrites, change.customerId) ? await uow.get(stagedSums, change.customerId) : undefined;
  const sums: CustomerRow = staged
    ? { ...staged }
    : { customerId: change.customerId, flightCount: 0, confirmedCount: 0, cancelledCount: 0, reserveDate: null };
  sums.flightCount += change.flightCount;
  sums.confirmedCount += change.confirmedCount;
  sums.cancelledCount += change.cancelledCount;
  if (change.reserveDate !== null && (sums.reserveDate === null || change.reserveDate > sums.reserveDate))
    sums.reserveDate = change.reserveDate;
  uow.remember(stagedSums, change.customerId, sums);
  uow.stage(customerWrites, sums);
}

export const customerInfosProjection = defineProjection<ReservationStatusEvent['type']>({
  name: 'customerInfos',
  eventTypes: ['ReservationPlaced', 'ReservationConfirmed', 'ReservationCancelled'],
  // every event of a booking: the reservation history reads the summaries too (findSummary)
  async prefetch(uow, events) {
    const ids = events.flatMap((e) => ('reservationId' in e.data ? [e.data.reservationId] : []));
    if (ids.length > 0) await uow.load(summaries, ids);
  },
  apply,
});
