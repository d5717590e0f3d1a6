// Staff: the read models of the dashboard service (customerInfos, flight board) and bookings over time.
import { allPages, api } from '../../api';
import { useResource, useTitle } from '../../hooks';
import { bucketCount, bucketOutcomes, chooseBucket, formatDate, formatDateTime } from '../../format';
import { DataTable } from '../../components/DataTable';
import { OutcomeChart } from '../../components/OutcomeChart';
import { Empty, ErrorNote, Loading } from '../../components/ui';
import { HISTORY_LIMIT, loadOutcomeEvents } from '../../outcomes';
import type { CustomerInfo, FlightBoardEntry, Reservation, User } from '../../types';
import { activityText, customerLabel } from '../../staff';

const REFRESH_MS = 5000;
const CHART_REFRESH_MS = 15_000;
const BARS = 24;
const MIN_BARS = 6;

export function Dashboard() {
  useTitle('Dashboard');
  const infos = useResource((signal) => api.get<CustomerInfo[]>('/customerInfos', { signal }), [], REFRESH_MS);
  const board = useResource((signal) => api.get<FlightBoardEntry[]>('/flightBoard', { signal }), [], REFRESH_MS);
  // the history is the heaviest answer here: asked for less often
  const events = useResource((signal) => loadOutcomeEvents(signal), [], CHART_REFRESH_MS);
  // people by username (the gateway's users), bookings by reference: no raw ids in staff tables
  const users = useResource((signal) => api.get<User[]>('/users', { signal }), [], CHART_REFRESH_MS);
  const reservations = useResource((signal) => allPages<Reservation>('/reservations', {}, signal), [], REFRESH_MS);
  const references = new Map((reservations.data ?? []).map((r) => [r.id, r.bookingReference]));
  const customers = infos.data?.map(({ customerId, ...counts }) => ({ customer: customerLabel(users.data, customerId), ...counts }));

  const now = Date.now();
  const list = events.data?.events;
  const oldest = list?.reduce((min, e) => Math.min(min, e.at), now) ?? now;
  const span = now - oldest;
  const bucketMs = chooseBucket(span, BARS);
  const buckets = list ? bucketOutcomes(list, now, bucketMs, bucketCount(span, bucketMs, MIN_BARS, BARS)) : [];

  return (
    <main id="main">
      <h1>Dashboard</h1>
      <section className="card" aria-labelledby="chart-heading">
        <h2 id="chart-heading">Bookings and outcomes over time</h2>
        {events.loading ? <Loading what="bookings" /> : null}
        <ErrorNote error={events.error} prefix="Could not load the bookings" />
        {list && list.length === 0 ? <Empty>No bookings yet.</Empty> : null}
        {list && list.length > 0 ? <OutcomeChart buckets={buckets} bucketMs={bucketMs} /> : null}
        {events.data?.truncated ? (
          <p className="muted small-text">
            The history answered its first {HISTORY_LIMIT.toLocaleString('en-US')} events only: later ones are not in this chart.
          </p>
        ) : null}
      </section>
      <div className="split even">
        <section className="card" aria-labelledby="board-heading">
          <h2 id="board-heading">Flight board</h2>
          {board.loading ? <Loading what="the flight board" /> : null}
          <ErrorNote error={board.error} prefix="Could not load the flight board" />
          {board.data && board.data.length === 0 ? <Empty>No flights yet.</Empty> : null}
          {board.data && board.data.length > 0 ? <FlightBoard rows={board.data} referenceOf={(id) => references.get(id)} /> : null}
        </section>
        <section className="card" aria-labelledby="infos-heading">
          <h2 id="infos-heading">Customers</h2>
          {infos.loading ? <Loading what="customers" /> : null}
          <ErrorNote error={infos.error} prefix="Could not load customerInfos" />
          {infos.data && infos.data.length === 0 ? <Empty>No customer has booked yet.</Empty> : null}
          {customers && customers.length > 0 ? (
            <DataTable
              rows={customers}
              caption="Customers: bookings placed, confirmed and cancelled"
              columns={['customer', 'flightCount', 'recentReserveDate', 'confirmedCount', 'cancelledCount']}
              rowKey="customer"
              headings={CUSTOMER_HEADINGS}
            />
          ) : null}
        </section>
      </div>
    </main>
  );
}

function FlightBoard({ rows, referenceOf }: { rows: FlightBoardEntry[]; referenceOf: (reservationId: number) => string | undefined }) {
  return (
    <table className="responsive">
      <caption className="visually-hidden">Flight board</caption>
      <thead>
        <tr>
          <th scope="col">Flight</th>
          <th scope="col" className="num">
            Seats left
          </th>
          <th scope="col" className="num">
            Turned away
          </th>
          <th scope="col">Last activity</th>
        </tr>
      </thead>
      <tbody>
        {[...rows].reverse().map((f) => (
          <tr key={f.flightId} data-flight-code={f.flightCode ?? undefined}>
            <th scope="row" data-label="Flight">
              {f.flightCode ?? `#${f.flightId}`}
              <div className="muted small-text">
                {f.takeoffDate ? formatDate(f.takeoffDate) : ''}
                {f.status === 'CANCELLED' ? ' · cancelled' : ''}
              </div>
            </th>
            <td data-label="Seats left" className="num">
              {f.remainingSeatsCount ?? '—'}
              {f.capacity !== null ? ` / ${f.capacity}` : ''}
            </td>
            <td data-label="Turned away" className="num" title="bookings cancelled as sold out">
              {f.soldOutCount}
            </td>
            <td data-label="Last activity">
              {f.lastActivity ? (
                <>
                  {activityText(f.lastActivity, referenceOf)}
                  <div className="muted small-text">{formatDateTime(f.lastActivity.at)}</div>
                </>
              ) : (
                <span className="muted">no booking yet</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The customers' table in words, not field names. */
const CUSTOMER_HEADINGS: Record<string, string> = {
  customer: 'Customer',
  flightCount: 'Bookings placed',
  recentReserveDate: 'Latest booking date',
  confirmedCount: 'Confirmed',
  cancelledCount: 'Cancelled',
};
