// Applies events to the read models in the caller's transaction: the live consumer (behind its inbox)
// and the rebuild (straight from the log) use this same code. Table names are unqualified on purpose:
// the rebuild points search_path at a fresh schema and projects into it.
import type { EventType, IntegrationEvent } from '@airline/contracts';
import { perTransaction, rowsPerTransaction, type Sql, type Tx } from '@airline/database';
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
  currency: string;
  reserve_date: string;
  status: ReservationSummary['status'];
  cancel_reason: string | null;
};

type HoldRow = { reservation_id: number; flight_id: number; seat_qty: number; reserved: boolean; released: boolean; sold_out: boolean };

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

// rows of this transaction, read or written
const summaries = rowsPerTransaction<number, ReservationSummary>(async (tx, ids) =>
  (await tx.query<SummaryRow>('SELECT * FROM dashboard_reservations WHERE reservation_id = ANY($1::int[])', [ids])).rows.map((r) => [r.reservation_id, toSummary(r)]),
);
const seatHolds = rowsPerTransaction<number, SeatHold>(async (tx, ids) =>
  (await tx.query<HoldRow>('SELECT * FROM flight_board_seats WHERE reservation_id = ANY($1::int[])', [ids])).rows.map((r) => [r.reservation_id, toSeatHold(r)]),
);
const findSummary = (tx: Tx, reservationId: number) => summaries.get(tx, reservationId);

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
  const ids = events.flatMap((e) => ('reservationId' in e.data ? [e.data.reservationId] : []));
  if (ids.length === 0) return;
  lockProjection(tx); // before reading, as project() does
  await summaries.load(tx, ids);
  await seatHolds.load(tx, ids);
}

// Writes are gathered for the transaction and sent by flushProjection as one statement per table: a
// batch of events costs a handful of statements, not several per event. Reads see the gathered state
// (the caches above), so the result is the same as writing event by event.
interface FlightTouch {
  seatsTaken: number;
  soldOutCount: number;
  flightCode: string | null;
  takeoffDate: string | null;
  capacity: number | null;
  registeredRemaining: number | null;
  cancelled: boolean;
  latest: Activity;
}
/** A flight's latest activity, as the board shows it; seq is the event's flightSeq (null before it existed). */
interface Activity {
  type: string;
  at: string;
  eventId: string;
  seq: number | null;
  reservationId: number | null;
  summary: string;
}
interface Gathered {
  history: Array<{ event_id: string; reservation_id: number; customer_id: number | null; type: string; step: number; occurred_at: string; summary: string; data: unknown }>;
  /** reservations whose summary changed, and how it is now */
  summaries: Map<number, ReservationSummary>;
  customers: Map<number, { flightCount: number; confirmedCount: number; cancelledCount: number; reserveDate: string | null }>;
  /** reservations that became known: their earlier history lines learn the customer */
  newlyKnown: Map<number, number>;
  /** reservations whose seat hold changed, and how it is now */
  seats: Map<number, SeatHold>;
  flights: Map<number, FlightTouch>;
}
const gatheredInTx = perTransaction<Gathered & { flushAtCommit: boolean }>(() => ({
  history: [],
  summaries: new Map(),
  customers: new Map(),
  newlyKnown: new Map(),
  seats: new Map(),
  flights: new Map(),
  flushAtCommit: false,
}));
/** This transaction's gathered writes; they are flushed before COMMIT at the latest. */
function gathered(tx: Tx): Gathered {
  const g = gatheredInTx.of(tx);
  if (!g.flushAtCommit) {
    g.flushAtCommit = true;
    tx.beforeCommit(() => flushProjection(tx));
  }
  return g;
}

async function projectStatus(tx: Tx, event: ReservationStatusEvent) {
  const before = await findSummary(tx, event.data.reservationId);
  const after = evolveSummary(before, event);
  if (before && before.status === after.status) return;
  const g = gathered(tx);
  summaries.set(tx, after.reservationId, after);
  g.summaries.set(after.reservationId, after);
  const change = customerInfoChange(before, after);
  if (!isNoChange(change)) {
    // counts are added (commutative); recentReserveDate is the latest ISO date seen (seed 000 keeps the newest)
    const sum = g.customers.get(change.customerId) ?? { flightCount: 0, confirmedCount: 0, cancelledCount: 0, reserveDate: null };
    sum.flightCount += change.flightCount;
    sum.confirmedCount += change.confirmedCount;
    sum.cancelledCount += change.cancelledCount;
    if (change.reserveDate !== null && (sum.reserveDate === null || change.reserveDate > sum.reserveDate)) sum.reserveDate = change.reserveDate;
    g.customers.set(change.customerId, sum);
  }
  // history lines that arrived before the booking was known now learn their customer
  if (!before) g.newlyKnown.set(after.reservationId, after.customerId);
}

async function projectSeats(tx: Tx, event: SeatEvent) {
  const before = await seatHolds.get(tx, event.data.reservationId);
  const after = evolveSeatHold(before, event);
  const change = flightBoardChange(before, after);
  const same = before && before.reserved === after.reserved && before.released === after.released && before.soldOut === after.soldOut && before.seatQty === after.seatQty;
  if (!same) {
    seatHolds.set(tx, after.reservationId, after);
    gathered(tx).seats.set(after.reservationId, after);
  }
  touchFlight(tx, event, { seatsTaken: change.seatsTaken, soldOutCount: change.soldOutCount });
}

/**
 * Whether activity a is later than b: by the flight's own numbering of its events (flightSeq), then by
 * time, then event id — a total order, so any delivery order gives the same answer. Events without a
 * flightSeq (logged before it existed) come before those with one.
 */
const laterThan = (a: Activity, b: Activity) => {
  const sa = a.seq ?? 0;
  const sb = b.seq ?? 0;
  if (sa !== sb) return sa > sb;
  const ta = Date.parse(a.at);
  const tb = Date.parse(b.at);
  return ta !== tb ? ta > tb : a.eventId > b.eventId;
};

/**
 * Adds to a flight's counters and records the event as its latest activity when it is the latest.
 * Touches of one flight in a transaction merge: counters add up, a label's last value wins, the
 * latest activity is the latest of them.
 */
function touchFlight(
  tx: Tx,
  event: IntegrationEvent & { data: { flightId: number } },
  set: { seatsTaken?: number; soldOutCount?: number; flightCode?: string; takeoffDate?: string; capacity?: number; registeredRemaining?: number; cancelled?: boolean },
) {
  const flights = gathered(tx).flights;
  const latest: Activity = {
    type: event.type,
    at: event.occurredAt,
    eventId: event.eventId,
    seq: 'flightSeq' in event.data ? (event.data.flightSeq ?? null) : null,
    reservationId: 'reservationId' in event.data ? event.data.reservationId : null,
    summary: describe(event),
  };
  const t = flights.get(event.data.flightId);
  if (!t) {
    flights.set(event.data.flightId, {
      seatsTaken: set.seatsTaken ?? 0,
      soldOutCount: set.soldOutCount ?? 0,
      flightCode: set.flightCode ?? null,
      takeoffDate: set.takeoffDate ?? null,
      capacity: set.capacity ?? null,
      registeredRemaining: set.registeredRemaining ?? null,
      cancelled: set.cancelled ?? false,
      latest,
    });
    return;
  }
  t.seatsTaken += set.seatsTaken ?? 0;
  t.soldOutCount += set.soldOutCount ?? 0;
  t.flightCode = set.flightCode ?? t.flightCode;
  t.takeoffDate = set.takeoffDate ?? t.takeoffDate;
  t.capacity = set.capacity ?? t.capacity;
  t.registeredRemaining = set.registeredRemaining ?? t.registeredRemaining;
  t.cancelled ||= set.cancelled ?? false;
  if (laterThan(latest, t.latest)) t.latest = latest;
}

async function recordHistory(tx: Tx, event: SagaEvent) {
  const needsSummary = !('customerId' in event.data) || !('currency' in event.data && event.data.currency);
  const summary = needsSummary ? await findSummary(tx, event.data.reservationId) : undefined;
  const known = 'customerId' in event.data ? null : (summary?.customerId ?? null);
  const entry = historyEntry(event, known, summary?.currency);
  gathered(tx).history.push({
    event_id: entry.eventId,
    reservation_id: entry.reservationId,
    customer_id: entry.customerId,
    type: entry.type,
    step: sagaStepRank(entry.type),
    occurred_at: entry.occurredAt,
    summary: entry.summary,
    data: entry.data,
  });
}

// the order of laterThan, in SQL
const LATER = `(b.last_activity_at IS NULL OR (coalesce(EXCLUDED.last_activity_seq, 0), EXCLUDED.last_activity_at, EXCLUDED.last_activity_event_id)
                                           > (coalesce(b.last_activity_seq, 0), b.last_activity_at, b.last_activity_event_id))`;

/** Sends what project() gathered in this transaction: one statement per read model table. */
export function flushProjection(tx: Tx) {
  const g = gatheredInTx.of(tx);
  const json = (rows: unknown[]) => [JSON.stringify(rows)];
  if (g.history.length > 0) {
    tx.enqueue(
      `INSERT INTO reservation_history (event_id, reservation_id, customer_id, type, step, occurred_at, summary, data)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(event_id uuid, reservation_id integer, customer_id integer, type text, step integer, occurred_at timestamptz, summary text, data jsonb)
       ON CONFLICT (event_id) DO NOTHING`,
      json(g.history),
    );
  }
  if (g.newlyKnown.size > 0) {
    tx.enqueue(
      `UPDATE reservation_history h SET customer_id = x.customer_id
       FROM jsonb_to_recordset($1::jsonb) AS x(reservation_id integer, customer_id integer)
       WHERE h.reservation_id = x.reservation_id AND h.customer_id IS NULL`,
      json([...g.newlyKnown].map(([reservation_id, customer_id]) => ({ reservation_id, customer_id }))),
    );
  }
  if (g.summaries.size > 0) {
    const rows = [...g.summaries.values()];
    tx.enqueue(
      `INSERT INTO dashboard_reservations (reservation_id, customer_id, flight_id, booking_reference, seat_qty, amount, reserve_date, status, cancel_reason, currency)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x("reservationId" integer, "customerId" integer, "flightId" integer, "bookingReference" text, "seatQty" integer, amount bigint, "reserveDate" text, status text, "cancelReason" text, currency text)
       ON CONFLICT (reservation_id) DO UPDATE SET status = EXCLUDED.status, cancel_reason = EXCLUDED.cancel_reason`,
      json(rows),
    );
  }
  if (g.customers.size > 0) {
    tx.enqueue(
      `INSERT INTO customer_infos (customer_id, flight_count, recent_reserve_date, confirmed_count, cancelled_count)
       SELECT x."customerId", x."flightCount", x."reserveDate", x."confirmedCount", x."cancelledCount"
       FROM jsonb_to_recordset($1::jsonb) AS x("customerId" integer, "flightCount" integer, "reserveDate" text, "confirmedCount" integer, "cancelledCount" integer)
       ON CONFLICT (customer_id) DO UPDATE SET
         flight_count = customer_infos.flight_count + EXCLUDED.flight_count,
         recent_reserve_date = GREATEST(customer_infos.recent_reserve_date COLLATE "C", EXCLUDED.recent_reserve_date COLLATE "C"),
         confirmed_count = customer_infos.confirmed_count + EXCLUDED.confirmed_count,
         cancelled_count = customer_infos.cancelled_count + EXCLUDED.cancelled_count`,
      json([...g.customers].map(([customerId, c]) => ({ customerId, ...c }))),
    );
  }
  if (g.seats.size > 0) {
    const rows = [...g.seats.values()];
    tx.enqueue(
      `INSERT INTO flight_board_seats (reservation_id, flight_id, seat_qty, reserved, released, sold_out)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x("reservationId" integer, "flightId" integer, "seatQty" integer, reserved boolean, released boolean, "soldOut" boolean)
       ON CONFLICT (reservation_id) DO UPDATE SET seat_qty = EXCLUDED.seat_qty, reserved = EXCLUDED.reserved, released = EXCLUDED.released, sold_out = EXCLUDED.sold_out`,
      json(rows),
    );
  }
  if (g.flights.size > 0) {
    // counters are added (commutative); the activity is replaced only by a later one (laterThan: flightSeq, time, event id)
    tx.enqueue(
      `INSERT INTO flight_board AS b (flight_id, flight_code, takeoff_date, capacity, registered_remaining, seats_taken, sold_out_count, status,
                                      last_activity_type, last_activity_at, last_activity_event_id, last_activity_seq, last_activity_reservation_id, last_activity_summary)
       SELECT x."flightId", x."flightCode", x."takeoffDate", x.capacity, x."registeredRemaining", x."seatsTaken", x."soldOutCount",
              CASE WHEN x.cancelled THEN 'CANCELLED' ELSE 'SCHEDULED' END, x.type, x.at, x."eventId", x.seq, x."reservationId", x.summary
       FROM jsonb_to_recordset($1::jsonb) AS x("flightId" integer, "flightCode" text, "takeoffDate" text, capacity integer, "registeredRemaining" integer,
            "seatsTaken" integer, "soldOutCount" integer, cancelled boolean, type text, at timestamptz, "eventId" uuid, seq integer, "reservationId" integer, summary text)
       ON CONFLICT (flight_id) DO UPDATE SET
         flight_code = coalesce(EXCLUDED.flight_code, b.flight_code),
         takeoff_date = coalesce(EXCLUDED.takeoff_date, b.takeoff_date),
         capacity = coalesce(EXCLUDED.capacity, b.capacity),
         registered_remaining = coalesce(EXCLUDED.registered_remaining, b.registered_remaining),
         seats_taken = b.seats_taken + EXCLUDED.seats_taken,
         sold_out_count = b.sold_out_count + EXCLUDED.sold_out_count,
         status = CASE WHEN EXCLUDED.status = 'CANCELLED' THEN 'CANCELLED' ELSE b.status END,
         (last_activity_type, last_activity_at, last_activity_event_id, last_activity_seq, last_activity_reservation_id, last_activity_summary) = (
           CASE WHEN ${LATER} THEN EXCLUDED.last_activity_type ELSE b.last_activity_type END,
           CASE WHEN ${LATER} THEN EXCLUDED.last_activity_at ELSE b.last_activity_at END,
           CASE WHEN ${LATER} THEN EXCLUDED.last_activity_event_id ELSE b.last_activity_event_id END,
           CASE WHEN ${LATER} THEN EXCLUDED.last_activity_seq ELSE b.last_activity_seq END,
           CASE WHEN ${LATER} THEN EXCLUDED.last_activity_reservation_id ELSE b.last_activity_reservation_id END,
           CASE WHEN ${LATER} THEN EXCLUDED.last_activity_summary ELSE b.last_activity_summary END)`,
      json([...g.flights].map(([flightId, t]) => ({ flightId, ...t, ...t.latest, latest: undefined }))),
    );
  }
  g.history = [];
  g.summaries.clear();
  g.customers.clear();
  g.newlyKnown.clear();
  g.seats.clear();
  g.flights.clear();
}

/**
 * Applies one event to every read model it concerns (written by flushProjection, before the transaction
 * ends). Safe to call twice with the same event.
 */
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
    case 'PassengersNamed':
      return recordHistory(tx, event);
    default: {
      const unknown: never = event;
      throw new Error(`the dashboard does not read ${JSON.stringify(unknown)}`);
    }
  }
}
