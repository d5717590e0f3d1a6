// Customer: every notification, newest first; new ones arrive live.
import { useEffect } from 'react';
import { useTitle } from '../hooks';
import { formatDateTime } from '../format';
import { Link } from '../router';
import { useNotifications } from '../notifications';
import { Empty, ErrorNote, Loading } from '../components/ui';

export function NotificationsPage() {
  useTitle('Notifications');
  const { items, loading, error, markSeen, live } = useNotifications();
  // what is on screen has been seen
  useEffect(() => markSeen(), [items, markSeen]);
  return (
    <main id="main">
      <h1>Notifications</h1>
      <section className="card" aria-labelledby="notifications-heading">
        <h2 id="notifications-heading" className="visually-hidden">
          Notifications
        </h2>
        <p className="muted">{live ? 'New notifications appear here as they happen.' : 'This list refreshes every few seconds.'}</p>
        {loading ? <Loading what="notifications" /> : null}
        <ErrorNote error={error} prefix="Could not load notifications" />
        {!loading && items.length === 0 ? <Empty>Nothing yet. Booking updates will show up here.</Empty> : null}
        {items.length > 0 ? (
          <ol className="notifications" aria-live="polite">
            {items.map((n) => (
              <li key={n.id} data-kind={n.kind} className={`kind-${n.kind.toLowerCase()}`}>
                <p>
                  <strong>{n.title}</strong>
                </p>
                <p>{n.message}</p>
                <p className="muted small-text">
                  <time dateTime={n.occurredAt}>{formatDateTime(n.occurredAt)}</time> ·{' '}
                  <Link to={`/my/bookings/${n.reservationId}`}>booking {n.bookingReference}</Link>
                </p>
              </li>
            ))}
          </ol>
        ) : null}
      </section>
    </main>
  );
}
