// flightBoard (seed 001): per flight, the seats on sale at registration, the seats taken since, and its
// latest activity (flight_board); per reservation that asked for seats, what the board knows of its
// hold (flight_board_seats), so a late or repeated seat event changes the counts once.
import type { IntegrationEvent } from '@airline/contracts';
import { rowKind, writeKind, type UnitOfWork } from '@airline/database';
import { describe, evolveSeatHold, flightBoardChange, type SeatEvent, type SeatHold } from '../projections.js';
import { defineProjection, type EventOf } from './projection.js';

type HoldRow = { reservation_id: number; flight_id: number; seat_qty: number; reserved: boolean; released: boolean; sold_out: boolean };

const toSeatHold = (row: HoldRow): SeatHold => ({
  reservationId: row.reservation_id,
  flightId: row.flight_id,
  seatQty: row.seat_qty,
  reserved: row.reserved,
  released: row.released,
  soldOut: row.sold_out,
});

// the seat holds this unit of work read or wrote
const seatHolds = rowKind<number, SeatHold>('flight board seats', async (tx, ids) =>
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

/** What the unit of work's events did to one flight: counters to add, labels, the latest activity among them. */
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

/** Reservations whose seat hold changed, and how it is now (the last one staged is the truth). */
const seatWrites = writeKind<SeatHold>(
  'flight board seats',
  `INSERT INTO flight_board_seats (reservation_id, flight_id, seat_qty, reserved, released, sold_out)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x("reservationId" integer, "flightId" integer, "seatQty" integer, reserved boolean, released boolean, "soldOut" boolean)
         ON CONFLICT (reservation_id) DO UPDATE SET seat_qty = EXCLUDED.seat_qty, reserved = EXCLUDED.reserved, released = EXCLUDED.released, sold_out = EXCLUDED.sold_out`,
  (hold) => hold.reservationId,
);

/**
 * What the unit of work's events did to each flight, staged again, whole, as they add up: counters are
 * added (commutative); the activity is replaced only by a later one (laterThan: flightSeq, time, event id).
 */
const flightWrites = writeKind<{ flightId: number } & Omit<FlightTouch, 'latest'> & Activity>(
  'flight board',
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
  (row) => row.flightId,
);
/** The touch of a flight staged and not flushed yet (none known: a fresh one; nothing is read). */
const stagedTouches = rowKind<number, FlightTouch>('flight touches staged', async () => []);

/**
 * Adds to a flight's counters and records the event as its latest activity when it is the latest.
 * Touches of one flight in a transaction merge: counters add up, a label's last value wins, the
 * latest activity is the latest of them.
 */
async function touchFlight(uow: UnitOfWork, event: IntegrationEvent & { data: { flightId: number } }, set: FlightFacts) {
  const flightId = event.data.flightId;
  const latest: Activity = {
    type: event.type,
    at: event.occurredAt,
    eventId: event.eventId,
    seq: 'flightSeq' in event.data ? (event.data.flightSeq ?? null) : null,
    reservationId: 'reservationId' in event.data ? event.data.reservationId : null,
    summary: describe(event),
  };
  const staged = uow.isStaged(flightWrites, flightId) ? await uow.get(stagedTouches, flightId) : undefined;
  const t: FlightTouch | undefined = staged && { ...staged };
  if (!t) {
    stageTouch(uow, flightId, {
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
  stageTouch(uow, flightId, t);
}

function stageTouch(uow: UnitOfWork, flightId: number, t: FlightTouch) {
  uow.remember(stagedTouches, flightId, t);
  const { latest, ...counts } = t;
  uow.stage(flightWrites, { flightId, ...counts, ...latest });
}

async function applySeats(uow: UnitOfWork, event: SeatEvent) {
  const before = await uow.get(seatHolds, event.data.reservationId);
  const after = evolveSeatHold(before, event);
  const change = flightBoardChange(before, after);
  const same =
    before &&
    before.reserved === after.reserved &&
    before.released === after.released &&
    before.soldOut === after.soldOut &&
    before.seatQty === after.seatQty;
  if (!same) {
    uow.remember(seatHolds, after.reservationId, after);
    uow.stage(seatWrites, after);
  }
  await touchFlight(uow, event, { seatsTaken: change.seatsTaken, soldOutCount: change.soldOutCount });
}

const isSeatEvent = (event: IntegrationEvent): event is SeatEvent =>
  event.type === 'SeatsReserved' || event.type === 'SeatsReleased' || event.type === 'SeatsSoldOut';

type FlightBoardEvent = EventOf<'FlightRegistered' | 'FlightCancelled'> | SeatEvent;

export const flightBoardProjection = defineProjection<FlightBoardEvent['type']>({
  name: 'flightBoard',
  eventTypes: ['FlightRegistered', 'FlightCancelled', 'SeatsReserved', 'SeatsReleased', 'SeatsSoldOut'],
  async prefetch(uow, events) {
    const ids = events.filter(isSeatEvent).map((e) => e.data.reservationId);
    if (ids.length > 0) await uow.load(seatHolds, ids);
  },
  async apply(uow, event) {
    switch (event.type) {
      case 'FlightRegistered': {
        const d = event.data;
        return touchFlight(uow, event, {
          flightCode: d.flightCode,
          takeoffDate: d.takeoffDate,
          capacity: d.capacity,
          registeredRemaining: d.remainingSeatsCount,
        });
      }
      case 'FlightCancelled':
        return touchFlight(uow, event, { flightCode: event.data.flightCode, cancelled: true });
      case 'SeatsReserved':
      case 'SeatsReleased':
      case 'SeatsSoldOut':
        return applySeats(uow, event);
      default: {
        const unknown: never = event;
        throw new Error(`the flight board does not read ${JSON.stringify(unknown)}`);
      }
    }
  },
});
