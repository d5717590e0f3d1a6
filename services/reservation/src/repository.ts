import { rowKind, writeKind, type Sql, type Tx, type UnitOfWork } from '@airline/database';
import type { CatalogFlight, Reservation } from './reservation.js';

type Row = {
  id: number;
  booking_reference: string;
  customer_id: number;
  flight_id: number;
  seat_qty: number;
  amount: number;
  currency: string;
  reserve_date: string;
  card_last4: string;
  passengers: Reservation['passengers'] | string;
  status: Reservation['status'];
  cancel_reason: Reservation['cancelReason'];
  hold_expires_at: Date | string;
};

const toReservation = (r: Row): Reservation => ({
  id: r.id,
  bookingReference: r.booking_reference,
  customerId: r.customer_id,
  flightId: r.flight_id,
  seatQty: r.seat_qty,
  amount: r.amount,
  currency: r.currency,
  reserveDate: r.reserve_date,
  cardLast4: r.card_last4,
  passengers: typeof r.passengers === 'string' ? JSON.parse(r.passengers) : r.passengers,
  status: r.status,
  cancelReason: r.cancel_reason,
  holdExpiresAt: new Date(r.hold_expires_at).toISOString(),
});

/** Draws `count` reservation ids, ascending. */
export async function nextReservationIds(tx: Sql, count: number): Promise<number[]> {
  if (count === 0) return [];
  const r = await tx.query<{ id: string }>(
    `SELECT nextval(pg_get_serial_sequence('reservations', 'id'))::text AS id FROM generate_series(1, $1) ORDER BY 1`,
    [count],
  );
  return r.rows.map((row) => Number(row.id)).sort((a, b) => a - b);
}

const newReservations = writeKind<Reservation>(
  'new reservations',
  `INSERT INTO reservations (id, booking_reference, customer_id, flight_id, seat_qty, amount, reserve_date, card_last4, status, cancel_reason, hold_expires_at, currency, passengers)
   SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(id integer, "bookingReference" text, "customerId" integer, "flightId" integer, "seatQty" integer,
     amount integer, "reserveDate" text, "cardLast4" text, status text, "cancelReason" text, "holdExpiresAt" timestamptz, currency text, passengers jsonb)`,
);

/**
 * Stages a new reservation (all of a group's go as one statement at flush). A booking reference already
 * taken fails the transaction with isBookingReferenceTaken(error): the caller runs it again.
 */
export function stageNewReservation(uow: UnitOfWork, r: Reservation): void {
  uow.remember(lockedReservations, r.id, r);
  uow.stage(newReservations, r);
}

export const isBookingReferenceTaken = (err: unknown) =>
  (err as { code?: string; constraint?: string } | null)?.code === '23505' &&
  (err as { constraint?: string }).constraint === 'reservations_booking_reference_key';

const reservationChanges = writeKind<Pick<Reservation, 'id' | 'status' | 'cancelReason' | 'passengers'>>(
  'reservation changes',
  `UPDATE reservations r SET status = x.status, cancel_reason = x."cancelReason", passengers = x.passengers, updated_at = now()
   FROM jsonb_to_recordset($1::jsonb) AS x(id integer, status text, "cancelReason" text, passengers jsonb) WHERE r.id = x.id`,
  (change) => change.id,
);

/** Stages a reservation's status and passengers (the unit of work's changes go as one statement at flush). */
export function saveReservation(uow: UnitOfWork, r: Reservation) {
  uow.remember(lockedReservations, r.id, r);
  uow.stage(reservationChanges, { id: r.id, status: r.status, cancelReason: r.cancelReason, passengers: r.passengers });
}

export async function findReservation(tx: Sql, id: number): Promise<Reservation | undefined> {
  const r = await tx.query<Row>('SELECT * FROM reservations WHERE id = $1', [id]);
  return r.rows[0] && toReservation(r.rows[0]);
}

/** Reservations locked for a command: read FOR UPDATE, in id order (replicas cannot deadlock). */
const lockedReservations = rowKind<number, Reservation>('reservations', async (tx, ids) => {
  const r = await tx.query<Row>('SELECT * FROM reservations WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE', [ids]);
  return r.rows.map((row) => [row.id, toReservation(row)]);
});

/** Locks these reservations in one statement and keeps them in the unit of work. */
export const lockReservations = (uow: UnitOfWork, ids: number[]) => uow.load(lockedReservations, ids);

/** A reservation locked for a command in this unit of work. */
export const findReservationForUpdate = (uow: UnitOfWork, id: number) => uow.get(lockedReservations, id);

export async function findByReference(tx: Sql, ref: string): Promise<Reservation | undefined> {
  const r = await tx.query<Row>('SELECT * FROM reservations WHERE booking_reference = $1', [ref.toUpperCase()]);
  return r.rows[0] && toReservation(r.rows[0]);
}

export async function listReservations(
  tx: Sql,
  filter: { customerId?: number; flightId?: number; status?: string; limit: number; afterId: number },
) {
  const r = await tx.query<Row>(
    `SELECT * FROM reservations
     WHERE id > $1 AND ($2::int IS NULL OR customer_id = $2) AND ($3::int IS NULL OR flight_id = $3) AND ($4::text IS NULL OR status = $4)
     ORDER BY id LIMIT $5`,
    [filter.afterId, filter.customerId ?? null, filter.flightId ?? null, filter.status ?? null, filter.limit],
  );
  return r.rows.map(toReservation);
}

/** Columns a page of reservations may be sorted by (HAL's sort=), API name → column. */
export const RESERVATION_SORT_COLUMNS = {
  id: 'id',
  customerId: 'customer_id',
  flightId: 'flight_id',
  seatQty: 'seat_qty',
  amount: 'amount',
  reserveDate: 'reserve_date',
  status: 'status',
} as const;

/** A page of reservations (offset paging, as Spring Data REST's page/size), and how many match in all. */
export async function reservationPage(
  tx: Sql,
  filter: { customerId?: number; flightId?: number; status?: string },
  page: { offset: number; limit: number; sort: keyof typeof RESERVATION_SORT_COLUMNS; descending: boolean },
): Promise<{ items: Reservation[]; total: number }> {
  const column = RESERVATION_SORT_COLUMNS[page.sort]; // from the fixed list above, never from the request's text
  const r = await tx.query<Row & { total: string }>(
    `SELECT *, count(*) OVER ()::text AS total FROM reservations
     WHERE ($1::int IS NULL OR customer_id = $1) AND ($2::int IS NULL OR flight_id = $2) AND ($3::text IS NULL OR status = $3)
     ORDER BY ${column} ${page.descending ? 'DESC' : 'ASC'}, id LIMIT $4 OFFSET $5`,
    [filter.customerId ?? null, filter.flightId ?? null, filter.status ?? null, page.limit, page.offset],
  );
  if (r.rows.length > 0) return { items: r.rows.map(toReservation), total: Number(r.rows[0]!.total) };
  const counted = await tx.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM reservations WHERE ($1::int IS NULL OR customer_id = $1) AND ($2::int IS NULL OR flight_id = $2) AND ($3::text IS NULL OR status = $3)`,
    [filter.customerId ?? null, filter.flightId ?? null, filter.status ?? null],
  );
  return { items: [], total: Number(counted.rows[0]!.n) };
}

export async function activeReservationIdsOnFlight(tx: Sql, flightId: number): Promise<number[]> {
  const r = await tx.query<{ id: number }>(
    `SELECT id FROM reservations WHERE flight_id = $1 AND status <> 'CANCELED' ORDER BY id FOR UPDATE`,
    [flightId],
  );
  return r.rows.map((x) => x.id);
}

/** PENDING reservations whose hold has expired, locked for this sweeper only (other replicas skip them), kept in the unit of work. */
export async function claimExpiredHolds(uow: UnitOfWork, now: Date, limit: number): Promise<Reservation[]> {
  const r = await uow.tx.query<Row>(
    `SELECT * FROM reservations WHERE status = 'PENDING' AND hold_expires_at <= $1 ORDER BY hold_expires_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [now.toISOString(), limit],
  );
  const claimed = r.rows.map(toReservation);
  for (const reservation of claimed) uow.remember(lockedReservations, reservation.id, reservation);
  return claimed;
}

/** A flight as the catalog keeps it: its fare, its currency (absent: the configured default), and when booking closes. */
export type CatalogEntry = CatalogFlight & { flightCode: string; takeoffDate: string; currency?: string };

export async function upsertCatalogFlight(tx: Sql, f: CatalogEntry) {
  await tx.query(
    `INSERT INTO flight_catalog (flight_id, flight_code, takeoff_date, cost, status, currency, booking_closes_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (flight_id) DO UPDATE SET flight_code = EXCLUDED.flight_code, takeoff_date = EXCLUDED.takeoff_date, cost = EXCLUDED.cost,
       currency = EXCLUDED.currency, booking_closes_at = EXCLUDED.booking_closes_at`,
    [f.flightId, f.flightCode, f.takeoffDate, f.cost, f.status, f.currency ?? null, f.bookingClosesAt ?? null],
  );
}

export async function markCatalogFlightCancelled(tx: Sql, flightId: number, flightCode: string) {
  // The cancel may arrive before the registration (replay across streams): keep a row either way.
  await tx.query(
    `INSERT INTO flight_catalog (flight_id, flight_code, takeoff_date, cost, status) VALUES ($1, $2, '', 0, 'CANCELLED')
     ON CONFLICT (flight_id) DO UPDATE SET status = 'CANCELLED'`,
    [flightId, flightCode],
  );
}

/** A flight the flight service described (flight-directory.ts), copied into the catalog as its events would. */
export async function learnFlight(tx: Sql, f: CatalogEntry) {
  await upsertCatalogFlight(tx, { ...f, status: 'SCHEDULED' });
  if (f.status === 'CANCELLED') await markCatalogFlightCancelled(tx, f.flightId, f.flightCode);
}

type CatalogRow = {
  flight_id: number;
  cost: number;
  status: CatalogFlight['status'];
  takeoff_date: string;
  booking_closes_at: Date | string | null;
  currency: string | null;
};

/** A catalog row; a flight known only from its cancellation (registration not seen yet) is CANCELLED. */
function toCatalogFlight(row: CatalogRow): CatalogFlight | undefined {
  if (row.takeoff_date === '') return row.status === 'CANCELLED' ? { flightId: row.flight_id, cost: 0, status: 'CANCELLED' } : undefined;
  const closes = row.booking_closes_at;
  return {
    flightId: row.flight_id,
    cost: row.cost,
    status: row.status,
    ...(row.currency ? { currency: row.currency } : {}),
    ...(closes !== null && closes !== undefined ? { bookingClosesAt: new Date(closes).toISOString() } : {}),
  };
}

/** A customer and a flight a booking is for. */
export interface CustomerOnFlight {
  customerId: number;
  flightId: number;
}
export const customerOnFlightKey = (p: CustomerOnFlight) => `${p.customerId}:${p.flightId}`;

/**
 * What placing bookings needs to know, in one round trip: the catalog's copies of their flights, and the
 * seats each customer already holds (active reservations) on each flight. Each (customer, flight) is
 * locked first, in one order, to the end of the transaction: two transactions placing for the same
 * customer on the same flight (replicas, or a key's own transaction beside a group) take turns, so the
 * second counts the first's seats.
 */
export async function findBookingContexts(
  tx: Tx,
  pairs: CustomerOnFlight[],
): Promise<{ flights: Map<number, CatalogFlight>; heldSeats: Map<string, number> }> {
  const unique = [...new Map(pairs.map((p) => [customerOnFlightKey(p), p])).values()].sort(
    (a, b) => a.customerId - b.customerId || a.flightId - b.flightId,
  );
  const customers = unique.map((p) => p.customerId);
  const flightIds = unique.map((p) => p.flightId);
  tx.enqueue('SELECT pg_advisory_xact_lock(c, f) FROM unnest($1::int[], $2::int[]) AS p(c, f)', [customers, flightIds]);
  // a statement of its own after the locks: its snapshot sees what the previous holder committed
  const r = await tx.query<CatalogRow & { customer_id: number; held: number }>(
    `SELECT p.customer_id, p.flight_id, c.cost, c.status, c.takeoff_date, c.booking_closes_at, c.currency,
       (SELECT coalesce(sum(r.seat_qty), 0)::int FROM reservations r WHERE r.customer_id = p.customer_id AND r.flight_id = p.flight_id AND r.status <> 'CANCELED') AS held
     FROM unnest($1::int[], $2::int[]) AS p(customer_id, flight_id) LEFT JOIN flight_catalog c ON c.flight_id = p.flight_id`,
    [customers, flightIds],
  );
  const flights = new Map<number, CatalogFlight>();
  const heldSeats = new Map<string, number>();
  for (const row of r.rows) {
    heldSeats.set(customerOnFlightKey({ customerId: row.customer_id, flightId: row.flight_id }), row.held);
    if (row.takeoff_date === null || row.takeoff_date === undefined) continue; // not in the catalog
    const flight = toCatalogFlight(row);
    if (flight) flights.set(row.flight_id, flight);
  }
  return { flights, heldSeats };
}
