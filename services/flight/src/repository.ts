import { rowKind, writeKind, type Sql, type UnitOfWork } from '@airline/database';
import {
  departureDay,
  utcText,
  type Flight,
  type HoldStatus,
  type NewFlight,
  type SeatEvent,
  type SeatHold,
  type SeatState,
} from './domain.js';

type FlightRow = {
  id: number;
  flight_code: string;
  takeoff_date: string;
  cost: number;
  currency: string;
  capacity: number;
  remaining_seats_count: number;
  status: Flight['status'];
  event_seq: number;
  origin: string | null;
  destination: string | null;
  departure_local: string | null;
  departure_zone: string | null;
  departure_utc: Date | string | null;
  arrival_local: string | null;
  arrival_zone: string | null;
  arrival_utc: Date | string | null;
  booking_closes_at: Date | string | null;
};

const utc = (v: Date | string) => utcText(v instanceof Date ? v : new Date(v));

const toFlight = (r: FlightRow): Flight => ({
  id: r.id,
  flightCode: r.flight_code,
  takeoffDate: r.takeoff_date,
  cost: r.cost,
  currency: r.currency,
  capacity: r.capacity,
  remainingSeatsCount: r.remaining_seats_count,
  status: r.status,
  ...(r.origin !== null && r.origin !== undefined
    ? {
        origin: r.origin,
        destination: r.destination!,
        departure: { local: r.departure_local!, timeZone: r.departure_zone!, utc: utc(r.departure_utc!) },
        arrival: { local: r.arrival_local!, timeZone: r.arrival_zone!, utc: utc(r.arrival_utc!) },
        bookingClosesAt: utc(r.booking_closes_at!),
      }
    : {}),
});

/** Inserts a flight; undefined when its code is already used on its day of departure. */
export async function insertFlight(tx: Sql, f: NewFlight): Promise<Flight | undefined> {
  const r = await tx.query<FlightRow>(
    `INSERT INTO flights (flight_code, takeoff_date, cost, currency, capacity, remaining_seats_count, departure_day,
       origin, destination, departure_local, departure_zone, departure_utc, arrival_local, arrival_zone, arrival_utc, booking_closes_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
     ON CONFLICT (upper(flight_code), departure_day) DO NOTHING RETURNING *`,
    [
      f.flightCode,
      f.takeoffDate,
      f.cost,
      f.currency,
      f.capacity,
      f.remainingSeatsCount,
      departureDay(f),
      f.origin ?? null,
      f.destination ?? null,
      f.departure?.local ?? null,
      f.departure?.timeZone ?? null,
      f.departure?.utc ?? null,
      f.arrival?.local ?? null,
      f.arrival?.timeZone ?? null,
      f.arrival?.utc ?? null,
      f.bookingClosesAt ?? null,
    ],
  );
  return r.rows[0] && toFlight(r.rows[0]);
}

export async function findFlight(tx: Sql, id: number, forUpdate = false): Promise<Flight | undefined> {
  const r = await tx.query<FlightRow>(`SELECT * FROM flights WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return r.rows[0] && toFlight(r.rows[0]);
}

/** Longer than any transaction that writes a flight takes from its start to its commit. */
const REREAD_WINDOW_S = 5;

/**
 * Flights changed since `since` (the database's time a previous call answered; undefined: every flight),
 * each with its flightSeq, and the database's time now, for the next call. updated_at is the writing
 * transaction's start: one that started before `since` may commit after it, so the window reaches back
 * REREAD_WINDOW_S before it (rows read again change nothing in the availability view).
 */
export async function flightsChangedSince(
  tx: Sql,
  since: string | undefined,
): Promise<{ rows: Array<{ flight: Flight; flightSeq: number }>; at: string }> {
  // one round trip: the time comes on its own row when no flight changed
  const r = await tx.query<FlightRow & { refreshed_at: string }>(
    `SELECT n.refreshed_at, f.* FROM (SELECT now()::text AS refreshed_at) n
     LEFT JOIN flights f ON ${since ? `f.updated_at > $1::timestamptz - interval '${REREAD_WINDOW_S} seconds'` : 'true'}`,
    since ? [since] : [],
  );
  const at = r.rows[0]!.refreshed_at;
  return { rows: r.rows.filter((row) => row.id !== null).map((row) => ({ flight: toFlight(row), flightSeq: row.event_seq })), at };
}

/** A change of the flight and the number its event takes (the flight's events are numbered under its row lock). */
export interface FlightChange {
  remainingSeatsCount: number;
  flightSeq: number;
}
type ChangeRow = { remaining_seats_count: number; event_seq: number };
const toChange = (r: ChangeRow): FlightChange => ({ remainingSeatsCount: r.remaining_seats_count, flightSeq: r.event_seq });

export async function setFlightStatus(tx: Sql, id: number, status: Flight['status']): Promise<FlightChange> {
  const r = await tx.query<ChangeRow>(
    'UPDATE flights SET status = $2, event_seq = event_seq + 1, updated_at = now() WHERE id = $1 RETURNING remaining_seats_count, event_seq',
    [id, status],
  );
  if (!r.rows[0]) throw new Error(`flight ${id} not found while setting its status`);
  return toChange(r.rows[0]);
}

type LockedFlight = NonNullable<SeatState['flight']>;

/** Flights whose seats a unit of work decides on: locked FOR UPDATE, in id order (replicas cannot deadlock). */
const lockedFlights = rowKind<number, LockedFlight>('flights', async (tx, ids) => {
  const r = await tx.query<{ id: number; status: Flight['status']; remaining_seats_count: number; event_seq: number }>(
    'SELECT id, status, remaining_seats_count, event_seq FROM flights WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE',
    [ids],
  );
  return r.rows.map((row) => [
    row.id,
    { id: row.id, status: row.status, remainingSeatsCount: row.remaining_seats_count, flightSeq: row.event_seq },
  ]);
});

/** Reservations' holds, locked FOR UPDATE in reservation order. */
const lockedHolds = rowKind<number, SeatHold>('seat holds', async (tx, reservationIds) => {
  const r = await tx.query<{ reservation_id: number; flight_id: number; seat_qty: number; status: HoldStatus }>(
    `SELECT reservation_id, flight_id, seat_qty, status FROM seat_holds WHERE reservation_id = ANY($1::int[]) ORDER BY reservation_id FOR UPDATE`,
    [reservationIds],
  );
  return r.rows.map((row) => [row.reservation_id, { flightId: row.flight_id, seatQty: row.seat_qty, status: row.status }]);
});

/**
 * Locks holds (first, in reservation order) and then flights (in id order) into the unit of work, in one
 * statement (a batch's prefetch: one round trip, as when only the holds were read beforehand).
 */
export async function lockSeats(uow: UnitOfWork, reservationIds: number[], flightIds: number[]) {
  const holds = uow.unknown(lockedHolds, reservationIds);
  const flights = uow.unknown(lockedFlights, flightIds);
  if (holds.length === 0 && flights.length === 0) return;
  const r = await uow.tx.query<{
    kind: 'hold' | 'flight';
    id: number;
    flight_id: number;
    seat_qty: number;
    status: string;
    remaining_seats_count: number;
    event_seq: number;
  }>(
    `WITH h AS (SELECT reservation_id, flight_id, seat_qty, status FROM seat_holds WHERE reservation_id = ANY($1::int[]) ORDER BY reservation_id FOR UPDATE),
          f AS (SELECT id, status, remaining_seats_count, event_seq FROM flights WHERE id = ANY($2::int[]) ORDER BY id FOR UPDATE)
     SELECT 'hold' AS kind, reservation_id AS id, flight_id, seat_qty, status, NULL::int AS remaining_seats_count, NULL::int AS event_seq FROM h
     UNION ALL
     SELECT 'flight', id, NULL, NULL, status, remaining_seats_count, event_seq FROM f`,
    [holds, flights],
  );
  const rows = (kind: 'hold' | 'flight') => r.rows.filter((row) => row.kind === kind);
  uow.record(
    lockedHolds,
    holds,
    rows('hold').map((row) => [row.id, { flightId: row.flight_id, seatQty: row.seat_qty, status: row.status as HoldStatus }]),
  );
  uow.record(
    lockedFlights,
    flights,
    rows('flight').map((row) => [
      row.id,
      { id: row.id, status: row.status as Flight['status'], remainingSeatsCount: row.remaining_seats_count, flightSeq: row.event_seq },
    ]),
  );
}

/** Which seat state a command decides on: a reservation's hold and, when the command touches seats (flightId), its flight. */
export interface SeatKey {
  reservationId: number;
  flightId?: number;
}

/** A reservation's hold and, when asked, its flight: locked (kept in the unit of work when locked before). */
export async function loadSeats(uow: UnitOfWork, key: SeatKey): Promise<SeatState> {
  const hold = await uow.get(lockedHolds, key.reservationId);
  const flightId = hold?.flightId ?? key.flightId;
  return { hold, flight: key.flightId === undefined || flightId === undefined ? undefined : await uow.get(lockedFlights, flightId) };
}

// Hold writes go out as one statement each for the unit of work, at its flush: new holds inserted (no
// ON CONFLICT: a row that appeared since it was locked, another replica's tombstone, fails the
// transaction, which is retried and then sees it), and status changes of holds that were there.
type HoldRow = { reservation_id: number; flight_id: number; seat_qty: number; status: HoldStatus };
const newHolds = writeKind<HoldRow>(
  'new seat holds',
  `INSERT INTO seat_holds (reservation_id, flight_id, seat_qty, status)
   SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(reservation_id integer, flight_id integer, seat_qty integer, status text)`,
  (h) => h.reservation_id,
);
const holdChanges = writeKind<{ reservation_id: number; status: HoldStatus }>(
  'seat hold changes',
  `UPDATE seat_holds h SET status = x.status, updated_at = now()
   FROM jsonb_to_recordset($1::jsonb) AS x(reservation_id integer, status text) WHERE h.reservation_id = x.reservation_id`,
  (c) => c.reservation_id,
);

function stageHold(uow: UnitOfWork, reservationId: number, hold: SeatHold, isNew: boolean) {
  uow.remember(lockedHolds, reservationId, hold);
  if (isNew || uow.isStaged(newHolds, reservationId))
    uow.stage(newHolds, { reservation_id: reservationId, flight_id: hold.flightId, seat_qty: hold.seatQty, status: hold.status });
  else uow.stage(holdChanges, { reservation_id: reservationId, status: hold.status });
}

/** Which seat events write a reservation's hold for the first time (a refused placement and a tombstone too). */
const CREATES_HOLD: Record<SeatEvent['type'], boolean> = {
  SeatsReserved: true,
  SeatsSoldOut: true,
  CancelledBeforePlaced: true,
  SeatsReleased: false,
  SeatsSold: false,
};

/**
 * A flight's seats and event number as the unit of work locked them (`was_`) and as its decisions left
 * them: one statement for every flight of a batch at flush. It is the database's guard of the rules the
 * decider applied to the locked rows: it changes a row only as it was locked, takes seats only from a
 * scheduled flight, and the CHECK on remaining_seats_count refuses a negative count. A row it does not
 * change fails the transaction.
 */
type FlightSeatsRow = { id: number; remaining: number; event_seq: number; was_remaining: number; was_seq: number };
const flightSeats = writeKind<FlightSeatsRow>(
  'flight seats',
  `UPDATE flights f SET remaining_seats_count = x.remaining, event_seq = x.event_seq, updated_at = now()
   FROM jsonb_to_recordset($1::jsonb) AS x(id integer, remaining integer, event_seq integer, was_remaining integer, was_seq integer)
   WHERE f.id = x.id AND f.remaining_seats_count = x.was_remaining AND f.event_seq = x.was_seq
     AND (x.remaining >= x.was_remaining OR f.status = 'SCHEDULED')
   RETURNING f.id`,
  (row) => row.id,
  (_uow, staged, rows) => {
    const changed = new Set((rows as Array<{ id: number }>).map((r) => r.id));
    const missed = staged.filter((row) => !changed.has(row.id));
    if (missed.length > 0) throw new Error(`flights did not change as decided: ${JSON.stringify(missed)}`);
  },
);

/**
 * Saves what the seat decider decided: the holds and the flight's seats are staged, for the unit of
 * work's flush (the flight's row once, however many of the batch's events changed it).
 */
export async function saveSeats(uow: UnitOfWork, key: SeatKey, state: SeatState, events: SeatEvent[]) {
  // the hold is as the decision left it: a new row, or a change of the one there
  if (state.hold)
    stageHold(
      uow,
      key.reservationId,
      state.hold,
      events.some((e) => CREATES_HOLD[e.type]),
    );
  const flight = state.flight;
  if (!flight) return;
  const locked = (await uow.get(lockedFlights, flight.id))!; // as loaded, or as the batch's decisions before this one left it
  if (locked.flightSeq !== flight.flightSeq) {
    const staged = uow.stagedRow(flightSeats, flight.id);
    uow.stage(flightSeats, {
      id: flight.id,
      remaining: flight.remainingSeatsCount,
      event_seq: flight.flightSeq,
      was_remaining: staged?.was_remaining ?? locked.remainingSeatsCount,
      was_seq: staged?.was_seq ?? locked.flightSeq,
    });
  }
  uow.remember(lockedFlights, flight.id, flight);
}

/** Seats per hold status of a flight (capacity = remaining + HELD + SOLD). */
export async function seatAccounting(tx: Sql, flightId: number) {
  const r = await tx.query<{ status: HoldStatus; seats: string }>(
    `SELECT status, sum(seat_qty)::text AS seats FROM seat_holds WHERE flight_id = $1 GROUP BY status`,
    [flightId],
  );
  const by = Object.fromEntries(r.rows.map((x) => [x.status, Number(x.seats)]));
  return { held: by.HELD ?? 0, sold: by.SOLD ?? 0, released: by.RELEASED ?? 0 };
}
