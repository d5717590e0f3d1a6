// Staff: the saga of any reservation, step by step across services, with the time each step took.
import { useState, type FormEvent } from 'react';
import { allPages, api, ApiError } from '../../api';
import { useResource, useTitle } from '../../hooks';
import { Link, navigate } from '../../router';
import { formatDate, formatDateTime, formatDeparture, formatDuration, formatMoney, plural } from '../../format';
import { stepFacts, type SagaTimeline } from '../../timeline';
import { Empty, ErrorNote, Field, Loading, StatusBadge } from '../../components/ui';
import type { Flight, Reservation, User } from '../../types';
import { customerLabel } from '../../staff';

export function Timeline({ id }: { id: number | null }) {
  useTitle(id ? `Saga of reservation ${id}` : 'Saga timeline');
  return (
    <main id="main">
      <h1>Saga timeline</h1>
      <div className="split">
        <FindReservation />
        {id ? <Saga key={id} id={id} /> : <FlightBookings />}
      </div>
    </main>
  );
}

function FindReservation() {
  const [query, setQuery] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const q = query.trim();
    setError(null);
    if (/^\d+$/.test(q)) return navigate(`/staff/timeline/${q}`);
    if (!/^[A-Za-z0-9]{6}$/.test(q))
      return setError(
        new ApiError({
          title: 'Invalid',
          status: 400,
          detail: 'enter a reservation number or a 6-character booking reference',
          field: 'reservation',
        }),
      );
    setBusy(true);
    try {
      const r = await api.get<Reservation>(`/reservations/by-reference/${encodeURIComponent(q.toUpperCase())}`);
      navigate(`/staff/timeline/${r.id}`);
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 404
          ? new ApiError({ ...err.problem, detail: `no booking has the reference ${q.toUpperCase()}`, field: 'reservation' })
          : err,
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="find-heading">
      <h2 id="find-heading">Find a reservation</h2>
      <form onSubmit={submit} noValidate className="inline-form">
        <Field
          label="Reservation number or booking reference"
          name="reservation"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="42 or ABC123"
          error={error instanceof ApiError && error.field === 'reservation' ? error.problem.detail : undefined}
        />
        <button type="submit" disabled={busy || !query.trim()}>
          Show saga
        </button>
      </form>
      {error instanceof ApiError && error.field === 'reservation' ? null : <ErrorNote error={error} />}
    </section>
  );
}

/** Pick a flight, see its bookings, open one's saga. */
function FlightBookings() {
  const flights = useResource((signal) => api.get<Flight[]>('/flights', { signal }), []);
  const [flightId, setFlightId] = useState<number | null>(null);
  const chosen = flightId ?? flights.data?.[flights.data.length - 1]?.id ?? null;
  const bookings = useResource(
    (signal) => (chosen ? allPages<Reservation>('/reservations', { flightId: chosen }, signal) : Promise.resolve([])),
    [chosen],
  );
  const users = useResource((signal) => api.get<User[]>('/users', { signal }), []);
  return (
    <section className="card" aria-labelledby="by-flight-heading">
      <h2 id="by-flight-heading">Bookings by flight</h2>
      {flights.loading ? <Loading what="flights" /> : null}
      <ErrorNote error={flights.error} />
      {flights.data && flights.data.length === 0 ? <Empty>No flights yet.</Empty> : null}
      {flights.data && flights.data.length > 0 ? (
        <div className="field">
          <label htmlFor="flight-pick">Flight</label>
          <select id="flight-pick" value={chosen ?? ''} onChange={(e) => setFlightId(Number(e.target.value))}>
            {[...flights.data].reverse().map((f) => (
              <option key={f.id} value={f.id}>
                {f.flightCode} · {formatDate(f.takeoffDate)}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {bookings.loading && chosen ? <Loading what="bookings" /> : null}
      <ErrorNote error={bookings.error} />
      {bookings.data && chosen && bookings.data.length === 0 ? <Empty>No bookings on this flight.</Empty> : null}
      {bookings.data && bookings.data.length > 0 ? (
        <ul className="plain-list">
          {[...bookings.data]
            .reverse()
            .slice(0, 50)
            .map((r) => (
              <li key={r.id}>
                <Link to={`/staff/timeline/${r.id}`}>{r.bookingReference}</Link>{' '}
                <span className="muted">
                  {customerLabel(users.data, r.customerId)} · {plural(r.seatQty, 'seat')} · placed {formatDate(r.reserveDate)}
                </span>{' '}
                <StatusBadge reservation={r} audience="staff" />
              </li>
            ))}
        </ul>
      ) : null}
    </section>
  );
}

function Saga({ id }: { id: number }) {
  const reservation = useResource(
    (signal) => api.get<Reservation>(`/reservations/${id}`, { signal }),
    [id],
    (r) => (r?.status === 'PENDING' ? 1000 : null),
  );
  const status = reservation.data?.status;
  // a settled saga can still grow (a refund, released seats): keep looking, less often
  const timeline = useResource(
    (signal) => api.get<SagaTimeline>(`/reservations/${id}/timeline`, { signal }),
    [id, status, reservation.data?.cancelReason],
    () => (status === 'PENDING' ? 1000 : 5000),
  );
  const steps = timeline.data?.steps ?? [];
  const r = reservation.data;
  const users = useResource((signal) => api.get<User[]>('/users', { signal }), []);
  const flight = useResource(
    (signal) => (r ? api.get<Flight>(`/flights/${r.flightId}`, { signal }) : Promise.resolve(undefined)),
    [r?.flightId],
  );
  return (
    <section className="card" aria-labelledby="saga-heading">
      <h2 id="saga-heading">{r ? `Booking ${r.bookingReference}` : `Reservation ${id}`}</h2>
      {reservation.loading ? <Loading what="the reservation" /> : null}
      <ErrorNote error={reservation.error} />
      {r ? (
        <p>
          <StatusBadge reservation={r} audience="staff" /> {customerLabel(users.data, r.customerId)} · flight{' '}
          {flight.data ? `${flight.data.flightCode} · ${formatDeparture(flight.data)}` : r.flightId} · {plural(r.seatQty, 'seat')} ·{' '}
          {formatMoney(r.amount, r.currency)}
        </p>
      ) : null}
      {timeline.loading ? <Loading what="the timeline" /> : null}
      <ErrorNote error={timeline.error} prefix="Could not load the timeline" />
      {timeline.data && steps.length === 0 ? <Empty>No events recorded for this reservation.</Empty> : null}
      {steps.length > 0 ? (
        <>
          <p className="muted">
            {steps.length} events, {formatDuration(timeline.data!.totalMs)} from the first to the last.
          </p>
          <ol className="timeline" data-testid="timeline">
            {steps.map((s) => (
              <li key={s.eventId}>
                <span className="step-type">{s.type}</span> <span className="muted">by {s.service}</span>
                {s.sincePreviousMs !== null ? <span className="delta"> +{formatDuration(s.sincePreviousMs)}</span> : null}
                <div className="muted small-text">
                  <time dateTime={s.occurredAt}>{formatDateTime(s.occurredAt)}</time>
                  {stepFacts(s) ? ` · ${stepFacts(s)}` : null}
                </div>
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </section>
  );
}
