// Staff: register flights; cancel one after a confirmation that says how many bookings it cancels.
import { useRef, useState, type FormEvent } from 'react';
import { allPages, api, newIdempotencyKey } from '../../api';
import { useResource, useTitle } from '../../hooks';
import { activeBookings, formatDate, plural } from '../../format';
import { ConfirmDialog, Empty, ErrorNote, Field, Loading, fieldError, formError } from '../../components/ui';
import { FlightTable } from '../../components/FlightTable';
import type { Flight, Reservation } from '../../types';

const REFRESH_MS = 3000;
const FIELDS = [
  'flightCode',
  'origin',
  'destination',
  'departureTime',
  'arrivalTime',
  'takeoffDate',
  'cost',
  'currency',
  'capacity',
  'remainingSeatsCount',
];

export function AdminFlights() {
  useTitle('Manage flights');
  const flights = useResource((signal) => api.get<Flight[]>('/flights', { signal }), [], REFRESH_MS);
  const [cancelling, setCancelling] = useState<Flight | null>(null);
  const [registered, setRegistered] = useState<Flight | null>(null);
  const list = [...(flights.data ?? [])].reverse();

  return (
    <main id="main">
      <h1>Flights</h1>
      <div className="split form-first">
        <RegisterFlight
          onRegistered={(f) => {
            setRegistered(f);
            flights.reload();
          }}
        />
        <section className="card" aria-labelledby="all-flights">
          <h2 id="all-flights">All flights</h2>
          {registered ? (
            <p className="notice" role="status">
              Registered {registered.flightCode} with {plural(registered.capacity, 'seat')}.
            </p>
          ) : null}
          {flights.loading ? <Loading what="flights" /> : null}
          <ErrorNote error={flights.error} prefix="Could not refresh the flights" />
          {flights.data && list.length === 0 ? <Empty>No flights yet. Register the first one.</Empty> : null}
          {list.length > 0 ? (
            <FlightTable
              flights={list}
              staff
              labelledBy="all-flights"
              action={(f) =>
                f.status === 'SCHEDULED' ? (
                  <button
                    type="button"
                    className="danger small"
                    onClick={() => setCancelling(f)}
                    aria-label={`Cancel flight ${f.flightCode}`}
                  >
                    Cancel flight
                  </button>
                ) : null
              }
            />
          ) : null}
        </section>
      </div>
      {cancelling ? (
        <CancelFlight
          key={cancelling.id}
          flight={cancelling}
          onClose={() => setCancelling(null)}
          onCancelled={() => {
            setCancelling(null);
            flights.reload();
          }}
        />
      ) : null}
    </main>
  );
}

function RegisterFlight({ onRegistered }: { onRegistered: (f: Flight) => void }) {
  const empty = {
    flightCode: '',
    origin: '',
    destination: '',
    departureTime: '',
    arrivalTime: '',
    takeoffDate: '',
    cost: '',
    currency: '',
    capacity: '',
  };
  const [form, setForm] = useState(empty);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const key = useRef(newIdempotencyKey());
  const set = (name: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [name]: e.target.value });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // numbers are sent as typed: the API names the field when one is not a whole number
      // a scheduled flight gives its route and local times (the zones are its airports'); without them
      // it is registered as the seeds do, by its takeoff date
      const route = [form.origin, form.destination, form.departureTime, form.arrivalTime].some((v) => v.trim() !== '')
        ? {
            origin: form.origin.trim().toUpperCase(),
            destination: form.destination.trim().toUpperCase(),
            departureTime: form.departureTime,
            arrivalTime: form.arrivalTime,
          }
        : {};
      const body = {
        flightCode: form.flightCode.trim(),
        ...route,
        ...(form.takeoffDate ? { takeoffDate: form.takeoffDate } : {}),
        cost: toNumber(form.cost),
        ...(form.currency.trim() ? { currency: form.currency.trim().toUpperCase() } : {}),
        capacity: toNumber(form.capacity),
      };
      const flight = await api.post<Flight>('/flights', body, { idempotencyKey: key.current });
      key.current = newIdempotencyKey();
      setForm(empty);
      onRegistered(flight);
    } catch (err) {
      key.current = newIdempotencyKey();
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="register-heading">
      <h2 id="register-heading">Register a flight</h2>
      <form onSubmit={submit} noValidate>
        <Field
          label="Flight code"
          name="flightCode"
          value={form.flightCode}
          onChange={set('flightCode')}
          required
          placeholder="KE081"
          error={fieldError(error, 'flightCode')}
          hint="Letters, digits and dashes"
        />
        <Field
          label="From (airport code)"
          name="origin"
          value={form.origin}
          onChange={set('origin')}
          maxLength={3}
          placeholder="ICN"
          error={fieldError(error, 'origin')}
        />
        <Field
          label="To (airport code)"
          name="destination"
          value={form.destination}
          onChange={set('destination')}
          maxLength={3}
          placeholder="JFK"
          error={fieldError(error, 'destination')}
        />
        <Field
          label="Departure (local time at the origin)"
          name="departureTime"
          type="datetime-local"
          value={form.departureTime}
          onChange={set('departureTime')}
          error={fieldError(error, 'departureTime')}
        />
        <Field
          label="Arrival (local time at the destination)"
          name="arrivalTime"
          type="datetime-local"
          value={form.arrivalTime}
          onChange={set('arrivalTime')}
          error={fieldError(error, 'arrivalTime')}
        />
        <Field
          label="Takeoff date"
          name="takeoffDate"
          type="date"
          value={form.takeoffDate}
          onChange={set('takeoffDate')}
          error={fieldError(error, 'takeoffDate')}
          hint="Only for a flight without a route and times, as the seeds register"
        />
        <Field
          label="Fare per seat"
          name="cost"
          type="number"
          inputMode="numeric"
          min={0}
          value={form.cost}
          onChange={set('cost')}
          required
          error={fieldError(error, 'cost')}
          hint="In the currency's smallest unit (KRW has none; cents for USD)"
        />
        <Field
          label="Currency"
          name="currency"
          value={form.currency}
          onChange={set('currency')}
          maxLength={3}
          placeholder="KRW"
          error={fieldError(error, 'currency')}
          hint="ISO 4217 code; KRW when left empty"
        />
        <Field
          label="Seats (capacity)"
          name="capacity"
          type="number"
          inputMode="numeric"
          min={0}
          value={form.capacity}
          onChange={set('capacity')}
          required
          error={fieldError(error, 'capacity')}
        />
        <ErrorNote error={formError(error, FIELDS)} />
        <button type="submit" disabled={busy}>
          {busy ? 'Registering…' : 'Register flight'}
        </button>
      </form>
    </section>
  );
}

/** '' → undefined (the API says the field is required); '12' → 12; anything else is sent as typed. */
function toNumber(value: string): number | string | undefined {
  if (value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : value;
}

function CancelFlight({ flight, onClose, onCancelled }: { flight: Flight; onClose: () => void; onCancelled: () => void }) {
  const reservations = useResource((signal) => allPages<Reservation>('/reservations', { flightId: flight.id }, signal), [flight.id]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const impact = reservations.data ? activeBookings(reservations.data) : null;

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.post(`/flights/${flight.id}/cancel`);
      onCancelled();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <ConfirmDialog
      open
      title={`Cancel flight ${flight.flightCode}?`}
      confirmLabel="Cancel the flight"
      cancelLabel="Keep the flight"
      danger
      busy={busy || !impact}
      onConfirm={confirm}
      onClose={onClose}
    >
      {reservations.loading ? <Loading what="its bookings" /> : null}
      <ErrorNote error={reservations.error} prefix="Could not count its bookings" />
      {impact ? (
        <p data-testid="cancel-impact">
          {impact.bookings === 0
            ? 'No active booking is on this flight.'
            : `This will cancel ${plural(impact.bookings, 'active booking')} (${plural(impact.seats, 'seat')}); paid bookings are refunded and customers are notified.`}
        </p>
      ) : null}
      <p className="muted">
        {flight.flightCode} on {formatDate(flight.takeoffDate)}. This cannot be undone.
      </p>
      <ErrorNote error={error} />
    </ConfirmDialog>
  );
}
