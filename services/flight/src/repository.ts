import type { Sql, Tx } from '@airline/database';
import type { Flight, HoldStatus } from './domain.js';

type FlightRow = {
  id: number;
  flight_code: string;
  takeoff_date: string;
  cost: number;
  capacity: number;
  remaining_seats_count: number;
  status: Flight['status'];
};

const toFlight = (r: FlightRow): Flight => ({
  id: r.id,
  flightCode: r.flight_code,
  takeoffDate: r.takeoff_date,
  cost: r.cost,
  capacity: r.capacity,
  remainingSeatsCount: r.remaining_seats_count,
  status: r.status,
});

export async function insertFlight(tx: Sql, f: Omit<Flight, 'id' | 'status'>): Promise<Flight> {
  const r = await tx.query<FlightRow>(
    `INSERT INTO flights (flight_code, takeoff_date, cost, capacity, remaining_seats_count) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
    [f.flightCode, f.takeoffDate, f.cost, f.capacity, f.remainingSeatsCount],
  );
  return toFlight(r.rows[0]!);
}

export async function findFlight(tx: Sql, id: number, forUpdate = false): Promise<Flight | undefined> {
  const r = await tx.query<FlightRow>(`SELECT * FROM flights WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return r.rows[0] && toFlight(r.rows[0]);
}

export async function listFlights(tx: Sql): Promise<Flight[]> {
  return (await tx.query<FlightRow>('SELECT * FROM flights ORDER BY id')).rows.map(toFlight);
}

export async function setFlightStatus(tx: Sql, id: number, status: Flight['status']) {
  await tx.query('UPDATE flights SET status = $2, updated_at = now() WHERE id = $1', [id, status]);
}

/**
 * Holds seats with one conditional UPDATE: no read-modify-write, so concurrent holds can never take
 * more seats than remain. Returns the new remaining count, or undefined when the seats are not there.
 */
export async function takeSeats(tx: Sql, flightId: number, seatQty: number): Promise<number | undefined> {
  const r = await tx.query<{ remaining_seats_count: number }>(
    `UPDATE flights SET remaining_seats_count = remaining_seats_count - $2, updated_at = now()
     WHERE id = $1 AND status = 'SCHEDULED' AND remaining_seats_count >= $2
     RETURNING remaining_seats_count`,
    [flightId, seatQty],
  );
  return r.rows[0]?.remaining_seats_count;
}

export async function returnSeats(tx: Sql, flightId: number, seatQty: number): Promise<number> {
  const r = await tx.query<{ remaining_seats_count: number }>(
    `UPDATE flights SET remaining_seats_count = remaining_seats_count + $2, updated_at = now() WHERE id = $1 RETURNING remaining_seats_count`,
    [flightId, seatQty],
  );
  if (!r.rows[0]) throw new Error(`flight ${flightId} not found while returning seats`);
  return r.rows[0].remaining_seats_count;
}

/** Records that a reservation asked for seats; false when it already has a row (redelivery or tombstone). */
export async function openHold(tx: Sql, reservationId: number, flightId: number, seatQty: number): Promise<boolean> {
  const r = await tx.query(
    `INSERT INTO seat_holds (reservation_id, flight_id, seat_qty, status) VALUES ($1, $2, $3, 'REJECTED') ON CONFLICT DO NOTHING`,
    [reservationId, flightId, seatQty],
  );
  return r.rowCount === 1;
}

export function setHoldStatus(tx: Tx, reservationId: number, status: HoldStatus, onlyFrom?: HoldStatus[]) {
  tx.enqueue(
    `UPDATE seat_holds SET status = $2, updated_at = now() WHERE reservation_id = $1 AND ($3::text[] IS NULL OR status = ANY($3::text[]))`,
    [reservationId, status, onlyFrom ?? null],
  );
}

export async function findHold(tx: Sql, reservationId: number, forUpdate = false) {
  const r = await tx.query<{ flight_id: number; seat_qty: number; status: HoldStatus }>(
    `SELECT flight_id, seat_qty, status FROM seat_holds WHERE reservation_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [reservationId],
  );
  return r.rows[0];
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
