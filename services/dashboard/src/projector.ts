// Applies events to the read models in the caller's transaction: the live consumer (behind its inbox)
// and the rebuild (straight from the log) use this same code. Table names are unqualified on purpose:
// the rebuild points search_path at a fresh schema and projects into it.
import type { EventType, IntegrationEvent } from '@airline/contracts';
import { perTransaction, type Sql, type Tx } from '@airline/database';
import {
  customerInfoChange,
  describe,
  evolveSeatHold,
  evolveSummary,
  flightBoardChange,
  historyEntry,
  isNoChange,
  sagaStepRank,
  sagaSteps,
  type ReservationStatusEvent,
  type ReservationSummary,
  type SagaEvent,
  type SeatEvent,
  type SeatHold,
} from './projections.js';

/** Every event the dashboard reads. */
export const dashboardEventTypes = ['FlightRegistered', 'FlightCancelled', ...sagaSteps] as const satisfies readonly EventType[];

// One projection transaction at a time (per dashboard database): an event touches rows of more than
// one kind (its reservation, customer and flight), so concurrent batches — replicas, or the JetStream
// adapter's loop per event type — could lock them in opposite orders and deadlock; and two events of
// one reservation must not both see it as new. A read model has no need for parallel writers.
const locked = new WeakSet<Sql>();
export function lockProjection(tx: Tx) {
  if (locked.has(tx)) return; // once per transaction: the lock is held until it ends
  tx.enqueue('SELECT pg_advisory_xact_lock(815085)');
  locked.add(tx);
}

type SummaryRow = {
  reservation_id: number;
  customer_id: number;
  flight_id: number;
  booking_reference: string;
  seat_qty: number;
  amount: string | number;
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
  reserveDate: r.reserve_date,
  status: r.status,
  cancelReason: r.cancel_reason,
});

// rows of this transaction, read or written (null: known not to exist)
const summaries = perTransaction<number, ReservationSummary | null>();
const seatHolds = perTransaction<number, SeatHold | null>();

async function findSummary(tx: Tx, reservationId: number): Promise<ReservationSummary | undefined> {
  const known = summaries.of(tx);
  if (!known.has(reservationId)) {
    const r = (await tx.query<SummaryRow>('SELECT * FROM dashboard_reservations WHERE reservation_id = $1', [reservationId])).rows[0];
    known.set(reservationId, r ? toSummary(r) : null);
  }
  return known.get(reservationId) ?? undefined;
}

const toSeatHold = (row: HoldRow): SeatHold => ({
  reservationId: row.reservation_id,
  flightId: row.flight_id,
  seatQty: row.seat_qty,
  reserved: row.reserved,
  released: row.released,
  soldOut: row.sold_out,
});

/** The batch's reservations and seat holds, read in one statement each (the consumer's prefetch). */
export async function prefetchProjection(tx: Tx, events: IntegrationEvent[]) {
  const ids = [...new Set(events.flatMap((e) => ('reservationId' in e.data ? [e.data.reservationId] : [])))];
  if (ids.length === 0) return;
  lockProjection(tx); // before reading, as project() does
  const known = summaries.of(tx);
  const holds = seatHolds.of(tx);
  for (const id of ids) {
    known.set(id, null);
    holds.set(id, null);
  }
  for (const r of (await tx.query<SummaryRow>('SELECT * FROM dashboard_reservations WHERE reservation_id = ANY($1::int[])', [ids])).rows) known.set(r.reservation_id, toSummary(r));
  for (const r of (await tx.query<HoldRow>('SELECT * FROM flight_board_seats WHERE reservation_id = ANY($1::int[])', [ids])).rows) holds.set(r.reservation_id, toSeatHold(r));
}

async function projectStatus(tx: Tx, event: ReservationStatusEvent) {
  const before = await findSummary(tx, event.data.reservationId);
  const after = evolveSummary(before, event);
  if (before && before.status === after.status) return;
  summaries.of(tx).set(after.reservationId, after);
  tx.enqueue(
    `INSERT INTO dashboard_reservations (reservation_id, customer_id, flight_id, booking_reference, seat_qty, amount, reserve_date, status, cancel_reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (reservation_id) DO UPDATE SET status = EXCLUDED.status, cancel_reason = EXCLUDED.cancel_reason`,
    [after.reservationId, after.customerId, after.flightId, after.bookingReference, after.seatQty, after.amount, after.reserveDate, after.status, after.cancelReason],
  );
  const change = customerInfoChange(before, after);
  if (!isNoChange(change)) {
    // counts are added (commutative); recentReserveDate is the latest ISO date seen (seed 000 keeps the newest)
    tx.enqueue(
      `INSERT INTO customer_infos (customer_id, flight_count, recent_reserve_date, confirmed_count, cancelled_count) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (customer_id) DO UPDATE SET
         flight_count = customer_infos.flight_count + EXCLUDED.flight_count,
         recent_reserve_date = GREATEST(customer_infos.recent_reserve_date COLLATE "C", EXCLUDED.recent_reserve_date COLLATE "C"),
         confirmed_count = customer_infos.confirmed_count + EXCLUDED.confirmed_count,
         cancelled_count = customer_infos.cancelled_count + EXCLUDED.cancelled_count`,
      [change.customerId, change.flightCount, change.reserveDate, change.confirmedCount, change.cancelledCount],
    );
  }
  if (!before) {
    // history lines that arrived before the booking was known now learn their customer
    tx.enqueue('UPDATE reservation_history SET customer_id = $2 WHERE reservation_id = $1 AND customer_id IS NULL', [after.reservationId, after.customerId]);
  }
}

type HoldRow = { reservation_id: number; flight_id: number; seat_qty: number; reserved: boolean; released: boolean; sold_out: boolean };

async function projectSeats(tx: Tx, event: SeatEvent) {
  const known = seatHolds.of(tx);
  if (!known.has(event.data.reservationId)) {
    const row = (await tx.query<HoldRow>('SELECT * FROM flight_board_seats WHERE reservation_id = $1', [event.data.reservationId])).rows[0];
    known.set(event.data.reservationId, row ? toSeatHold(row) : null);
  }
  const before = known.get(event.data.reservationId) ?? undefined;
  const after = evolveSeatHold(before, event);
  const change = flightBoardChange(before, after);
  const same = before && before.reserved === after.reserved && before.released === after.released && before.soldOut === after.soldOut && before.seatQty === after.seatQty;
  if (!same) {
    known.set(after.reservationId, after);
    tx.enqueue(
      `INSERT INTO flight_board_seats (reservation_id, flight_id, seat_qty, reserved, released, sold_out) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (reservation_id) DO UPDATE SET seat_qty = EXCLUDED.seat_qty, reserved = EXCLUDED.reserved, released = EXCLUDED.released, sold_out = EXCLUDED.sold_out`,
      [after.reservationId, after.flightId, after.seatQty, after.reserved, after.released, after.soldOut],
    );
  }
  await touchFlight(tx, event, { seatsTaken: change.seatsTaken, soldOutCount: change.soldOutCount });
}

const LATER = `(b.last_activity_at IS NULL OR (EXCLUDED.last_activity_at, EXCLUDED.last_activity_event_id) > (b.last_activity_at, b.last_activity_event_id))`;

/**
 * Adds to a flight's counters and records the event as its latest activity when it is the latest
 * (by time, then event id: any delivery order gives the same answer).
 */
async function touchFlight(
  tx: Tx,
  event: IntegrationEvent & { data: { flightId: number } },
  set: { seatsTaken?: number; soldOutCount?: number; flightCode?: string; takeoffDate?: string; capacity?: number; registeredRemaining?: number; cancelled?: boolean },
) {
  // counters are added (commutative); the activity is replaced only by a later one (time, then event id)
  tx.enqueue(
    `INSERT INTO flight_board AS b (flight_id, flight_code, takeoff_date, capacity, registered_remaining, seats_taken, sold_out_count, status,
                                    last_activity_type, last_activity_at, last_activity_event_id, last_activity_reservation_id, last_activity_summary)
     VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $8::boolean THEN 'CANCELLED' ELSE 'SCHEDULED' END, $9, $10, $11, $12, $13)
     ON CONFLICT (flight_id) DO UPDATE SET
       flight_code = coalesce(EXCLUDED.flight_code, b.flight_code),
       takeoff_date = coalesce(EXCLUDED.takeoff_date, b.takeoff_date),
       capacity = coalesce(EXCLUDED.capacity, b.capacity),
       registered_remaining = coalesce(EXCLUDED.registered_remaining, b.registered_remaining),
       seats_taken = b.seats_taken + EXCLUDED.seats_taken,
       sold_out_count = b.sold_out_count + EXCLUDED.sold_out_count,
       status = CASE WHEN $8::boolean THEN 'CANCELLED' ELSE b.status END,
       (last_activity_type, last_activity_at, last_activity_event_id, last_activity_reservation_id, last_activity_summary) = (
         CASE WHEN ${LATER} THEN EXCLUDED.last_activity_type ELSE b.last_activity_type END,
         CASE WHEN ${LATER} THEN EXCLUDED.last_activity_at ELSE b.last_activity_at END,
         CASE WHEN ${LATER} THEN EXCLUDED.last_activity_event_id ELSE b.last_activity_event_id END,
         CASE WHEN ${LATER} THEN EXCLUDED.last_activity_reservation_id ELSE b.last_activity_reservation_id END,
         CASE WHEN ${LATER} THEN EXCLUDED.last_activity_summary ELSE b.last_activity_summary END)`,
    [
      event.data.flightId,
      set.flightCode ?? null,
      set.takeoffDate ?? null,
      set.capacity ?? null,
      set.registeredRemaining ?? null,
      set.seatsTaken ?? 0,
      set.soldOutCount ?? 0,
      set.cancelled ?? false,
      event.type,
      event.occurredAt,
      event.eventId,
      'reservationId' in event.data ? event.data.reservationId : null,
      describe(event),
    ],
  );
}

async function recordHistory(tx: Tx, event: SagaEvent) {
  const known = 'customerId' in event.data ? null : ((await findSummary(tx, event.data.reservationId))?.customerId ?? null);
  const entry = historyEntry(event, known);
  tx.enqueue(
    `INSERT INTO reservation_history (event_id, reservation_id, customer_id, type, step, occurred_at, summary, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (event_id) DO NOTHING`,
    [entry.eventId, entry.reservationId, entry.customerId, entry.type, sagaStepRank(entry.type), entry.occurredAt, entry.summary, JSON.stringify(entry.data)],
  );
}

/** Applies one event to every read model it concerns. Safe to call twice with the same event. */
export async function project(tx: Tx, event: IntegrationEvent): Promise<void> {
  lockProjection(tx);
  switch (event.type) {
    case 'FlightRegistered': {
      const d = event.data;
      return touchFlight(tx, event, { flightCode: d.flightCode, takeoffDate: d.takeoffDate, capacity: d.capacity, registeredRemaining: d.remainingSeatsCount });
    }
    case 'FlightCancelled':
      return touchFlight(tx, event, { flightCode: event.data.flightCode, cancelled: true });
    case 'ReservationPlaced':
    case 'ReservationConfirmed':
    case 'ReservationCancelled':
      await recordHistory(tx, event);
      return projectStatus(tx, event);
    case 'SeatsReserved':
    case 'SeatsReleased':
    case 'SeatsSoldOut':
      await recordHistory(tx, event);
      return projectSeats(tx, event);
    case 'PaymentApproved':
    case 'PaymentDeclined':
    case 'PaymentRefunded':
      return recordHistory(tx, event);
    default: {
      const unknown: never = event;
      throw new Error(`the dashboard does not read ${JSON.stringify(unknown)}`);
    }
  }
}
