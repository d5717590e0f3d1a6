// flightBoard (seed 001): per flight, the seats on sale at registration, the seats taken since, and its
// latest activity (flight_board); per reservation that asked for seats, what the board knows of its
// hold (flight_board_seats), so a late or repeated seat event changes the counts once.
import type { IntegrationEvent } from '@airline/contracts';
import { rowsPerTransaction, type Tx } from '@airline/database';
import { describe, evolveSeatHold, flightBoardChange, type SeatEvent, type SeatHold } from '../projections.js';
import { asJson, defineProjection, gatheredWrites, type EventOf } from './projection.js';

type HoldRow = { reservation_id: number; flight_id: number; seat_qty: number; reserved: boolean; released: boolean; sold_out: boolean };

const toSeatHold = (row: HoldRow): SeatHold => ({
  reservationId: row.reservation_id,
  flightId: row.flight_id,
  seatQty: row.seat_qty,
  reserved: row.reserved,
  released: row.released,
  soldOut: row.sold_out,
});

// the seat holds of this transaction, read or written
const seatHolds = rowsPerTransaction<number, SeatHold>(async (tx, ids) =>
  (await tx.query<HoldRow>('SELECT * FROM flight_board_seats WHERE reservation_id = ANY($1::int[])', [ids])).rows.map((r) => [
    r.reservation_id,
    toSeatHold(r),
  ]),
);

/** A flight's latest activity, as the board shows it; seq is the event's flightSeq (null before it existed). */
interface Activity {
  type: string;
  at: string;
  eventId: string;
  seq: number | null;
  reservationId: number | null;
  summary: string;
}

/** What the transaction's events did to one flight: counters to add, labels, the latest activity among them. */
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
type FlightFacts = Partial<Omit<FlightTouch, 'latest' | 'flightCode' | 'takeoffDate' | 'capacity' | 'registeredRemaining'>> & {
  flightCode?: string;
  takeoffDate?: string;
  capacity?: number;
  registeredRemaining?: number;
};

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

// the order of laterThan, in SQL
const LATER = `(b.last_activity_at IS NULL OR (coalesce(EXCLUDED.last_activity_seq, 0), EXCLUDED.last_activity_at, EXCLUDED.last_activity_event_id)
                                           > (coalesce(b.last_activity_seq, 0), b.last_activity_at, b.last_activity_event_id))`;

const writes = gatheredWrites(
  () => ({
    /** reservations whose seat hold changed, and how it is now */
    seats: new Map<number, SeatHold>(),
    flights: new Map<number, FlightTouch>(),
  }),
  (tx, g) => {
    if (g.seats.size > 0) {
      tx.enqueue(
        `INSERT INTO flight_board_seats (reservation_id, flight_id, seat_qty, reserved, released, sold_out)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x("reservationId" integer, "flightId" integer, "seatQty" integer, reserved boolean, released boolean, "soldOut" boolean)
         ON CONFLICT (reservation_id) DO UPDATE SET seat_qty = EXCLUDED.seat_qty, reserved = EXCLUDED.reserved, released = EXCLUDED.released, sold_out = EXCLUDED.sold_out`,
        asJson([...g.seats.values()]),
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
        asJson([...g.flights].map(([flightId, t]) => ({ flightId, ...t, ...t.latest, latest: undefined }))),
      );
    }
  },
);

/**
 * Adds to a flight's counters and records the event as its latest activity when it is the latest.
 * Touches of one flight in a transaction merge: counters add up, a label's last value wins, the
 * latest activity is the latest of them.
 */
function touchFlight(tx: Tx, event: IntegrationEvent & { data: { flightId: number } }, set: FlightFacts) {
  const flights = writes.of(tx).flights;
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

async function applySeats(tx: Tx, event: SeatEvent) {
  const before = await seatHolds.get(tx, event.data.reservationId);
  const after = evolveSeatHold(before, event);
  const change = flightBoardChange(before, after);
  const same =
    before &&
    before.reserved === after.reserved &&
    before.released === after.released &&
    before.soldOut === after.soldOut &&
    before.seatQty === after.seatQty;
  if (!same) {
    seatHolds.set(tx, after.reservationId, after);
    writes.of(tx).seats.set(after.reservationId, after);
  }
  touchFlight(tx, event, { seatsTaken: change.seatsTaken, soldOutCount: change.soldOutCount });
}

const isSeatEvent = (event: IntegrationEvent): event is SeatEvent =>
  event.type === 'SeatsReserved' || event.type === 'SeatsReleased' || event.type === 'SeatsSoldOut';

type FlightBoardEvent = EventOf<'FlightRegistered' | 'FlightCancelled'> | SeatEvent;

export const flightBoardProjection = defineProjection<FlightBoardEvent['type']>({
  name: 'flightBoard',
  eventTypes: ['FlightRegistered', 'FlightCancelled', 'SeatsReserved', 'SeatsReleased', 'SeatsSoldOut'],
  async prefetch(tx, events) {
    const ids = events.filter(isSeatEvent).map((e) => e.data.reservationId);
    if (ids.length > 0) await seatHolds.load(tx, ids);
  },
  async apply(tx, event) {
    switch (event.type) {
      case 'FlightRegistered': {
        const d = event.data;
        return touchFlight(tx, event, {
          flightCode: d.flightCode,
          takeoffDate: d.takeoffDate,
          capacity: d.capacity,
          registeredRemaining: d.remainingSeatsCount,
        });
      }
      case 'FlightCancelled':
        return touchFlight(tx, event, { flightCode: event.data.flightCode, cancelled: true });
      case 'SeatsReserved':
      case 'SeatsReleased':
      case 'SeatsSoldOut':
        return applySeats(tx, event);
      default: {
        const unknown: never = event;
        throw new Error(`the flight board does not read ${JSON.stringify(unknown)}`);
      }
    }
  },
  flush: writes.flush,
});
