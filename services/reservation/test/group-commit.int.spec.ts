// One bad booking must not slow the others: everything a single request can be refused for is decided
// before its group's transaction writes, so a group with bad requests in it commits once, and nothing is
// run again one request at a time. Transactions are counted on the database the group commit is given.
// On both adapters: PGlite (embedded) and PostgreSQL, where two replicas place at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPgDatabase,
  createPgliteDatabase,
  ensureDatabase,
  groupCommit,
  migrate,
  migrationsFrom,
  type Database,
} from '@airline/database';
import { databaseUrl, dropDatabases, uniqueName } from '@airline/testing';
import { idempotencyMigration } from '@airline/http';
import { messagingMigration } from '@airline/outbox';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PAYMENT_METHOD } from '@airline/contracts';
import { placeMany, type PlaceRequest } from '../src/commands.js';
import { ReservationRejected, type Reservation } from '../src/reservation.js';

const clock = () => new Date('2026-12-01T00:00:00Z');
const booking = (customerId: number, flightId: number, seatQty: number): PlaceRequest => ({
  passengers: [],
  customerId,
  flightId,
  seatQty,
  reserveDate: '2026-12-01',
  ...DEFAULT_PAYMENT_METHOD,
  now: clock(),
  causationId: `req-${customerId}-${flightId}-${seatQty}`,
});

const run = uniqueName('groupcommit');
const adapters: Array<[string, () => Promise<Database>]> = [
  ['PGlite', () => createPgliteDatabase()],
  [
    'PostgreSQL',
    async () => {
      await ensureDatabase(databaseUrl(run));
      return createPgDatabase(databaseUrl(run));
    },
  ],
];
afterAll(() => dropDatabases(run));

describe.each(adapters)('group commit with bad requests in the group (%s)', (adapter, open) => {
  let db: Database;
  let transactions = 0;
  let counted: Database;

  beforeAll(async () => {
    db = await open();
    await migrate(db, [
      messagingMigration,
      idempotencyMigration,
      ...migrationsFrom(fileURLToPath(new URL('../migrations', import.meta.url))),
    ]);
    await db.query(`INSERT INTO flight_catalog (flight_id, flight_code, takeoff_date, cost, status) VALUES
      (1, 'KE001', '2027-01-01', 100, 'SCHEDULED'), (2, 'KE002', '2027-01-01', 100000000, 'SCHEDULED'), (3, 'KE003', '2027-01-01', 100, 'CANCELLED')`);
    counted = {
      kind: db.kind,
      query: (text, params) => db.query(text, params),
      exec: (text) => db.exec(text),
      transaction: (fn) => {
        transactions++;
        return db.transaction(fn);
      },
      close: () => db.close(),
    };
  });
  afterAll(async () => {
    await db?.close();
  });

  it('commits the group once: the bad ones are refused, the good ones placed, none run again', async () => {
    let n = 0;
    const limits = { maxSeatsPerBooking: 30, maxSeatsPerCustomerOnFlight: 30 };
    const place = groupCommit<PlaceRequest, Reservation>({
      db: counted,
      run: (tx, requests) =>
        placeMany(tx, requests, { holdTtlMs: 60_000, clock, limits, drawReference: () => `G${String(++n).padStart(5, '0')}` }),
    });
    const settle = (p: Promise<Reservation>) =>
      p.then(
        (r) => ({ ok: r }),
        (err: unknown) => ({ err }),
      );
    // the first starts a transaction at once; the others arrive while it runs and go together in the next
    const first = settle(place(booking(1, 1, 1)));
    const group = [
      booking(2, 1, 2),
      booking(3, 2, 22), // 22 × 100,000,000 does not fit the amount: the insert failed the whole group
      booking(4, 1, 3),
      booking(5, 99, 1), // unknown flight
      booking(6, 3, 1), // cancelled flight
      booking(7, 1, 25),
      booking(7, 1, 10), // customer 7 would hold 35 seats on flight 1: more than 30
      booking(8, 1, 31), // more than a booking may take
      booking(9, 2, 21), // 2,100,000,000: fits
      booking(10, 1, 1),
    ].map((b) => settle(place(b)));
    const answers = await Promise.all([first, ...group]);

    expect(transactions).toBe(2); // the first alone, then the group: no re-run
    const code = (a: { ok?: Reservation; err?: unknown }) =>
      a.err instanceof ReservationRejected ? a.err.code : a.err ? String(a.err) : 'PLACED';
    expect(answers.map(code)).toEqual([
      'PLACED',
      'PLACED',
      'AMOUNT_TOO_LARGE',
      'PLACED',
      'UNKNOWN_FLIGHT',
      'FLIGHT_CANCELLED',
      'PLACED',
      'CUSTOMER_SEAT_LIMIT',
      'SEAT_LIMIT',
      'PLACED',
      'PLACED',
    ]);
    // what was refused wrote nothing: the placed ones, with ids in a row, and their events
    const rows = (
      await db.query<{ id: number; customer_id: number; amount: number }>('SELECT id, customer_id, amount FROM reservations ORDER BY id')
    ).rows;
    expect(rows.map((r) => [r.id, r.customer_id])).toEqual([
      [1, 1],
      [2, 2],
      [3, 4],
      [4, 7],
      [5, 9],
      [6, 10],
    ]);
    expect(rows.find((r) => r.customer_id === 9)!.amount).toBe(2_100_000_000);
    expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE type = 'ReservationPlaced'`)).rows[0]!.n).toBe(6);
  });

  it("counts a customer's seats already held on the flight, and not those cancelled", async () => {
    const limits = { maxSeatsPerBooking: 9, maxSeatsPerCustomerOnFlight: 18 };
    let n = 0;
    const options = { holdTtlMs: 60_000, clock, limits, drawReference: () => `H${String(++n).padStart(5, '0')}` };
    const placeOne = (b: PlaceRequest) => db.transaction((tx) => placeMany(tx, [b], options)).then(([o]) => o!);
    expect(await placeOne(booking(20, 1, 9))).toHaveProperty('ok');
    expect(await placeOne(booking(20, 1, 9))).toHaveProperty('ok');
    const third = await placeOne(booking(20, 1, 1));
    expect('refused' in third && (third.refused as ReservationRejected).details).toEqual({ limit: 18, heldSeats: 18 });
    expect(await placeOne(booking(20, 2, 1))).toHaveProperty('ok'); // another flight: its own count
    await db.query(
      `UPDATE reservations SET status = 'CANCELED', cancel_reason = 'CUSTOMER' WHERE customer_id = 20 AND flight_id = 1 AND id = (SELECT min(id) FROM reservations WHERE customer_id = 20)`,
    );
    expect(await placeOne(booking(20, 1, 9))).toHaveProperty('ok');
  });

  it('four replicas placing for one customer on one flight at once take turns: the limit holds across them', async () => {
    if (adapter === 'PGlite') return; // one connection: transactions already take turns
    const limits = { maxSeatsPerBooking: 9, maxSeatsPerCustomerOnFlight: 18 };
    const replica = (name: string) => {
      let n = 0;
      return groupCommit<PlaceRequest, Reservation>({
        db,
        run: (tx, requests) =>
          placeMany(tx, requests, { holdTtlMs: 60_000, clock, limits, drawReference: () => `${name}${String(++n).padStart(5, '0')}` }),
      });
    };
    const replicas = ['A', 'B', 'C', 'D'].map(replica);
    const answers = await Promise.allSettled(Array.from({ length: 24 }, (_, i) => replicas[i % 4]!(booking(30, 1, 3))));
    expect(answers.filter((x) => x.status === 'fulfilled')).toHaveLength(6);
    expect(
      answers.filter((x) => x.status === 'rejected').map((x) => ((x as PromiseRejectedResult).reason as ReservationRejected).code),
    ).toEqual(Array(18).fill('CUSTOMER_SEAT_LIMIT'));
    expect(
      (await db.query<{ held: number }>(`SELECT sum(seat_qty)::int AS held FROM reservations WHERE customer_id = 30 AND flight_id = 1`))
        .rows[0]!.held,
    ).toBe(18);
  });
});
