// Pages by role: customers book and follow their bookings; staff (admin) run flights and watch the operation.
import { useEffect, useRef, type ReactNode } from 'react';
import { useAuth } from './auth';
import { Link, matchPath, navigate, usePath } from './router';
import { NotificationsProvider, useNotifications } from './notifications';
import { worthAToast } from './format';
import { Login } from './pages/Login';
import { Flights } from './pages/Flights';
import { Booking } from './pages/Booking';
import { MyBookings } from './pages/MyBookings';
import { Miles } from './pages/Miles';
import { NotificationsPage } from './pages/NotificationsPage';
import { AdminFlights } from './pages/admin/AdminFlights';
import { Dashboard } from './pages/admin/Dashboard';
import { Timeline } from './pages/admin/Timeline';
import { DeadLetters } from './pages/admin/DeadLetters';
import type { User } from './types';

const TOAST_MS = 12_000;

interface Page {
  path: string;
  label?: string;
  render: (params: Record<string, string>) => ReactNode;
}

const customerPages: Page[] = [
  { path: '/', label: 'Flights', render: () => <Flights /> },
  { path: '/my/bookings', label: 'My bookings', render: () => <MyBookings /> },
  { path: '/my/bookings/:id', render: (p) => <Booking id={Number(p.id)} /> },
  { path: '/my/miles', label: 'Miles', render: () => <Miles /> },
  { path: '/my/notifications', label: 'Notifications', render: () => <NotificationsPage /> },
];

const staffPages: Page[] = [
  { path: '/', label: 'Flights', render: () => <AdminFlights /> },
  { path: '/staff/dashboard', label: 'Dashboard', render: () => <Dashboard /> },
  { path: '/staff/timeline', label: 'Saga timeline', render: () => <Timeline id={null} /> },
  { path: '/staff/timeline/:id', render: (p) => <Timeline id={Number(p.id)} /> },
  { path: '/staff/dead-letters', label: 'Dead letters', render: () => <DeadLetters /> },
];

export function App() {
  const { session } = useAuth();
  const path = usePath();
  useEffect(() => {
    if (session && path === '/login') navigate('/', { replace: true });
  }, [session, path]);
  if (!session) return <Login />;
  const user = session.user;
  const pages = user.role === 'admin' ? staffPages : customerPages;
  const found = pages.map((p) => ({ page: p, params: matchPath(p.path, path) })).find((m) => m.params !== null);
  return (
    <NotificationsProvider customerId={user.role === 'customer' ? user.customerId : null}>
      <Shell user={user} pages={pages} path={path}>
        {found?.params && (found.page.path.includes(':id') ? Number.isInteger(Number(found.params.id)) : true) ? (
          found.page.render(found.params)
        ) : (
          <NotFound />
        )}
      </Shell>
    </NotificationsProvider>
  );
}

function Shell({ user, pages, path, children }: { user: User; pages: Page[]; path: string; children: ReactNode }) {
  const { logout } = useAuth();
  const { unseen, latest, dismissLatest } = useNotifications();
  // a new page: screen readers start reading it, and Tab starts from it (not from the link just clicked)
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const main = document.getElementById('main');
    if (!main) return;
    main.tabIndex = -1;
    main.focus({ preventScroll: true });
  }, [path]);
  // the toast goes after a while; the notification stays on the Notifications page
  useEffect(() => {
    if (!latest) return;
    const timer = setTimeout(dismissLatest, TOAST_MS);
    return () => clearTimeout(timer);
  }, [latest, dismissLatest]);
  const current = (p: Page) => (p.path === '/' ? path === '/' : path === p.path || path.startsWith(`${p.path}/`));
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          <span aria-hidden="true">✈</span> Airline{user.role === 'admin' ? <span className="role-tag">staff</span> : null}
        </Link>
        <nav aria-label="Main">
          <ul>
            {pages
              .filter((p) => p.label)
              .map((p) => (
                <li key={p.path}>
                  <Link to={p.path} aria-current={current(p) ? 'page' : undefined}>
                    {p.label}
                    {p.path === '/my/notifications' && unseen > 0 ? (
                      <span className="count" data-testid="unseen-count">
                        {unseen}
                        <span className="visually-hidden"> new</span>
                      </span>
                    ) : null}
                  </Link>
                </li>
              ))}
          </ul>
        </nav>
        <div className="user">
          <span className="username" title={user.role === 'customer' ? `customer ${user.customerId}` : 'airline staff'}>
            {user.username}
          </span>
          <button type="button" className="secondary small" onClick={() => logout()}>
            Sign out
          </button>
        </div>
      </header>
      {/* in the page's flow, above it: a toast never covers a form */}
      <div className="toast-region" aria-live="polite">
        {latest && worthAToast(latest) ? (
          <div className="toast" role="status">
            <p>
              <strong>{latest.title}</strong>
            </p>
            <p>{latest.message}</p>
            <div className="actions">
              <Link to={`/my/bookings/${latest.reservationId}`} onClick={dismissLatest}>
                Open booking {latest.bookingReference}
              </Link>
              <button type="button" className="link" onClick={dismissLatest} aria-label="Dismiss notification">
                Dismiss
              </button>
            </div>
          </div>
        ) : null}
      </div>
      {children}
    </>
  );
}

function NotFound() {
  return (
    <main id="main">
      <h1>Page not found</h1>
      <p>
        There is nothing here. <Link to="/">Go to the start page</Link>.
      </p>
    </main>
  );
}
