// Customer: every booking of mine, newest first, statuses kept current.
import { api, qs } from '../api';
import { useUser } from '../auth';
import { useResource, useTitle } from '../hooks';
import { Link } from '../router';
import { formatDate, formatMoney } from '../format';
import { useNotifications } from '../notifications';
import { Empty, ErrorNote, Loading, StatusBadge } from '../components/ui';
import type { Flight, Payment, Reservation } from '../types';

const REFRESH_MS = 3000;

export function MyBookings() {
  useTitle('My bookings');
  const user = useUser();
  const { version } = useNotifications();
  const reservations = useResource(
    (signal) => api.get<Reservation[]>(`/reservations${qs({ customerId: user.customerId })}`, { signal }),
    [user.customerId, version],
    REFRESH_MS,
  );
  const flights = useResource((signal) => api.get<Flight[]>('/flights', { signal }), [version]);
  // decline reasons live with the payments; ask again when a status changes
  const statuses = (reservations.data ?? []).map((r) => r.status[0]).join('');
  const payments = useResource(
    (signal) => api.get<Payment[]>(`/payments${qs({ customerId: user.customerId })}`, { signal }),
    [user.customerId, statuses],
  );
  const declineReasons = new Map((payments.data ?? []).map((p) => [p.reservationId, p.declineReason]));
  const byId = new Map((flights.data ?? []).map((f) => [f.id, f]));
  const list = [...(reservations.data ?? [])].reverse();

  return (
    <main id="main">
      <h1>My bookings</h1>
      <section className="card" aria-labelledby="bookings-heading">
        <h2 id="bookings-heading" className="visually-hidden">
          Bookings
        </h2>
        {reservations.loading ? <Loading what="your bookings" /> : null}
        <ErrorNote error={reservations.error} prefix="Could not load your bookings" />
        {reservations.data && list.length === 0 ? (
          <Empty>
            You have no bookings yet. <Link to="/">Find a flight</Link>.
          </Empty>
        ) : null}
        {list.length > 0 ? (
          <table className="responsive">
            <thead>
              <tr>
                <th scope="col">Reference</th>
                <th scope="col">Flight</th>
                <th scope="col" className="num">
                  Seats
                </th>
                <th scope="col" className="num">
                  Amount
                </th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {list.map((r) => {
                const f = byId.get(r.flightId);
                return (
                  <tr key={r.id} data-reference={r.bookingReference}>
                    <th scope="row" data-label="Reference">
                      <Link to={`/my/bookings/${r.id}`}>{r.bookingReference}</Link>
                    </th>
                    <td data-label="Flight">{f ? `${f.flightCode} · ${formatDate(f.takeoffDate)}` : `#${r.flightId}`}</td>
                    <td data-label="Seats" className="num">
                      {r.seatQty}
                    </td>
                    <td data-label="Amount" className="num">
                      {formatMoney(r.amount, r.currency)}
                    </td>
                    <td data-label="Status">
                      <StatusBadge reservation={r} declineReason={declineReasons.get(r.id)} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        ) : null}
      </section>
    </main>
  );
}
