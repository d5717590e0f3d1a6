// Staff: the read models of the dashboard service (customerInfos, flight board) and bookings over time.
import { api } from '../../api';
import { useResource, useTitle } from '../../hooks';
import { bucketOutcomes, chooseBucket } from '../../format';
import { DataTable } from '../../components/DataTable';
import { OutcomeChart } from '../../components/OutcomeChart';
import { Empty, ErrorNote, Loading } from '../../components/ui';
import { loadOutcomeEvents } from '../../outcomes';

const REFRESH_MS = 5000;
const BARS = 24;

export function Dashboard() {
  useTitle('Dashboard');
  const infos = useResource((signal) => api.get<Array<Record<string, unknown>>>('/customerInfos', { signal }), [], REFRESH_MS);
  const board = useResource((signal) => api.get<Array<Record<string, unknown>>>('/flightBoard', { signal }), [], REFRESH_MS);
  const events = useResource((signal) => loadOutcomeEvents(signal), [], REFRESH_MS);

  const now = Date.now();
  const oldest = events.data?.reduce((min, e) => Math.min(min, e.at), now) ?? now;
  const bucketMs = chooseBucket(Math.max(now - oldest, 60_000), BARS);
  const buckets = events.data ? bucketOutcomes(events.data, now, bucketMs, BARS) : [];

  return (
    <main id="main">
      <h1>Dashboard</h1>
      <section className="card" aria-labelledby="chart-heading">
        <h2 id="chart-heading">Bookings and outcomes over time</h2>
        {events.loading ? <Loading what="bookings" /> : null}
        <ErrorNote error={events.error} prefix="Could not load the bookings" />
        {events.data && events.data.length === 0 ? <Empty>No bookings yet.</Empty> : null}
        {events.data && events.data.length > 0 ? <OutcomeChart buckets={buckets} bucketMs={bucketMs} /> : null}
      </section>
      <div className="split even">
        <section className="card" aria-labelledby="board-heading">
          <h2 id="board-heading">Flight board</h2>
          {board.loading ? <Loading what="the flight board" /> : null}
          <ErrorNote error={board.error} prefix="Could not load the flight board" />
          {board.data && board.data.length === 0 ? <Empty>No flights yet.</Empty> : null}
          {board.data && board.data.length > 0 ? <DataTable rows={board.data} caption="Flight board" columns={['flightCode', 'remainingSeatsCount']} /> : null}
        </section>
        <section className="card" aria-labelledby="infos-heading">
          <h2 id="infos-heading">Customers</h2>
          {infos.loading ? <Loading what="customers" /> : null}
          <ErrorNote error={infos.error} prefix="Could not load customerInfos" />
          {infos.data && infos.data.length === 0 ? <Empty>No customer has booked yet.</Empty> : null}
          {infos.data && infos.data.length > 0 ? <DataTable rows={infos.data} caption="customerInfos" columns={['customerId', 'flightCount', 'recentReserveDate']} rowKey="customerId" /> : null}
        </section>
      </div>
    </main>
  );
}
