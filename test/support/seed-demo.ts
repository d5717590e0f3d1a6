// The seeds' demo (SPEC "The seeds' own demo must run as written"), pasted back to back: each request
// is sent as soon as the one before it answered, with no pause and no retry. Used by the specs (embedded
// and cluster) and by `npm run bench:seed-demo` (100 times).
import { eventually, http } from '@airline/testing/plain';

export interface SeedDemoUrls {
  flight: string;
  reservation: string;
  dashboard: string;
}

/** What one paste gave: every answer as it came, and then the state the saga settles in. */
export interface SeedDemoRun {
  flightId: number;
  /** Status codes of the three POSTs, in order: flight, customer 1, customer 2. */
  posts: number[];
  /** [customerId, status, cancelReason] of the two reservations once the saga has ended. */
  outcome: Array<[number, string, string | null]>;
  remainingSeatsCount: number;
}

/**
 * One paste of the demo. On a fresh system this is the seeds' own flight 1; run again, it registers a
 * flight of its own and books that one (the same requests, the new flight's id).
 */
export async function pasteSeedDemo(urls: SeedDemoUrls, flightCode = 'ACE890'): Promise<SeedDemoRun> {
  const flight = http(urls.flight);
  const reservation = http(urls.reservation);
  // the bodies httpie sends for `key=value` (strings), id and status included: not trusted
  const created = await flight.post('/flights', { remainingSeatsCount: '5', flightCode, takeoffDate: '2025-12-25', cost: '200000' });
  const flightId = String(created.body?.id);
  const first = await reservation.post('/reservations', {
    customerId: '1',
    flightId,
    seatQty: '3',
    reserveDate: '2024-11-21',
    status: 'SUCCEED',
  });
  const second = await reservation.post('/reservations', {
    customerId: '2',
    flightId,
    seatQty: '3',
    reserveDate: '2024-11-22',
    status: 'SUCCEED',
  });
  const posts = [created.status, first.status, second.status];
  if (posts.some((s) => s !== 201)) return { flightId: Number(flightId), posts, outcome: [], remainingSeatsCount: NaN };
  const ids = [first.body.id as number, second.body.id as number];
  const settled = await eventually(
    () => Promise.all(ids.map((id) => reservation.get(`/reservations/${id}`))),
    (rs) => rs.every((r) => r.body.status !== 'PENDING'),
  );
  const board = await flight.get(`/flights/${flightId}`);
  return {
    flightId: Number(flightId),
    posts,
    outcome: settled.map((r) => [r.body.customerId, r.body.status, r.body.cancelReason]),
    remainingSeatsCount: board.body.remainingSeatsCount,
  };
}

/** The seeds' outcome: customer 1 holds 3 of the 5 seats, customer 2 is sold out, 2 seats left. */
export const SEEDS_OUTCOME = {
  posts: [201, 201, 201],
  outcome: [
    [1, 'CONFIRMED', null],
    [2, 'CANCELED', 'SOLD_OUT'],
  ] as Array<[number, string, string | null]>,
  remainingSeatsCount: 2,
};

export const gaveSeedsOutcome = (run: SeedDemoRun) =>
  JSON.stringify([run.posts, run.outcome, run.remainingSeatsCount]) ===
  JSON.stringify([SEEDS_OUTCOME.posts, SEEDS_OUTCOME.outcome, SEEDS_OUTCOME.remainingSeatsCount]);

/** `http :8085/customerInfos` after `runs` pastes: each customer placed one booking per paste. */
export async function customerInfosAfter(urls: SeedDemoUrls, runs: number) {
  return eventually(
    () => http(urls.dashboard).get<Array<{ customerId: number; flightCount: number; recentReserveDate: string }>>('/customerInfos'),
    (r) => r.status === 200 && r.body.length === 2 && r.body.every((c) => c.flightCount === runs),
  );
}
