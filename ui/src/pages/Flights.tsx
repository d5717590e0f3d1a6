// Customer: find a flight (seats left update live), book N seats with a card.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, newIdempotencyKey } from '../api';
import { useUser } from '../auth';
import { useResource, useTitle } from '../hooks';
import { navigate } from '../router';
import { filterFlights, formatDate, formatMoney, plural, type FlightFilter } from '../format';
import { Empty, ErrorNote, Field, Loading, fieldError, formError } from '../components/ui';
import type { Flight, Reservation, TestCard } from '../types';

export const FLIGHTS_REFRESH_MS = 2000;

export function Flights() {
  useTitle('Flights');
  const flights = useResource((signal) => api.get<Flight[]>('/flights', { signal }), [], FLIGHTS_REFRESH_MS);
  const [filter, setFilter] = useState<FlightFilter>({ text: '', from: '', withSeatsOnly: true });
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const shown = flights.data ? filterFlights(flights.data, filter) : [];
  const selected = flights.data?.find((f) => f.id === selectedId) ?? null;

  return (
    <main id="main">
      <h1>Find a flight</h1>
      <form className="filters card" role="search" aria-label="Search flights" onSubmit={(e) => e.preventDefault()}>
        <Field label="Flight code" type="search" value={filter.text} onChange={(e) => setFilter({ ...filter, text: e.target.value })} placeholder="e.g. KE081" />
        <Field label="Departing on or after" type="date" value={filter.from} onChange={(e) => setFilter({ ...filter, from: e.target.value })} />
        <div className="field checkbox">
          <input id="with-seats" type="checkbox" checked={filter.withSeatsOnly} onChange={(e) => setFilter({ ...filter, withSeatsOnly: e.target.checked })} />
          <label htmlFor="with-seats">Only flights with seats left</label>
        </div>
      </form>

      <div className="split">
        <section aria-labelledby="flights-heading" className="card">
          <h2 id="flights-heading">
            Flights <span className="live" title="Seats left refresh every few seconds">live</span>
          </h2>
          {flights.loading ? <Loading what="flights" /> : null}
          <ErrorNote error={flights.error} prefix="Could not refresh the flights" />
          {flights.data && shown.length === 0 ? <Empty>{flights.data.length === 0 ? 'No flights are on sale yet.' : 'No flight matches your search.'}</Empty> : null}
          {shown.length > 0 ? (
            <table className="responsive" aria-describedby="flights-heading">
              <thead>
                <tr>
                  <th scope="col">Flight</th>
                  <th scope="col">Takeoff</th>
                  <th scope="col" className="num">Fare</th>
                  <th scope="col" className="num">Seats left</th>
                  <th scope="col">
                    <span className="visually-hidden">Action</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {shown.map((f) => (
                  <tr key={f.id} data-flight-code={f.flightCode} className={f.id === selectedId ? 'selected' : undefined}>
                    <th scope="row" data-label="Flight">
                      {f.flightCode}
                    </th>
                    <td data-label="Takeoff" className="date">
                      {formatDate(f.takeoffDate)}
                    </td>
                    <td data-label="Fare" className="num">
                      {formatMoney(f.cost)}
                    </td>
                    <td data-label="Seats left" className="num" data-testid="seats-left">
                      {f.status === 'CANCELLED' ? <span className="badge badge-canceled">Cancelled</span> : f.remainingSeatsCount}
                    </td>
                    <td className="actions-cell">
                      <button type="button" onClick={() => setSelectedId(f.id)} disabled={f.status !== 'SCHEDULED'} aria-label={`Book ${f.flightCode}`}>
                        Book
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </section>
        {selected ? <BookingForm key={selected.id} flight={selected} onClose={() => setSelectedId(null)} /> : null}
      </div>
    </main>
  );
}

function BookingForm({ flight, onClose }: { flight: Flight; onClose: () => void }) {
  const user = useUser();
  const cards = useResource((signal) => api.get<TestCard[]>('/sandbox/test-cards', { signal }), []);
  const [seatQty, setSeatQty] = useState('1');
  const [card, setCard] = useState('4242424242424242');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const idempotencyKey = useRef(newIdempotencyKey());
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const qty = Number(seatQty);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = { customerId: user.customerId ?? undefined, flightId: flight.id, seatQty: qty, card: card.replace(/\s/g, '') };
      const r = await api.post<Reservation>('/reservations', body, { idempotencyKey: idempotencyKey.current });
      navigate(`/my/bookings/${r.id}`);
    } catch (err) {
      setError(err);
      setBusy(false);
      idempotencyKey.current = newIdempotencyKey(); // a corrected form is a new request
    }
  };

  return (
    <section className="card booking" aria-labelledby="booking-heading">
      <h2 id="booking-heading" ref={heading} tabIndex={-1}>
        Book {flight.flightCode}
      </h2>
      <p className="muted">
        {formatDate(flight.takeoffDate)} · fare {formatMoney(flight.cost)} per seat · {plural(flight.remainingSeatsCount, 'seat')} left
      </p>
      <form onSubmit={submit} noValidate>
        <Field
          label="Seats"
          name="seatQty"
          type="number"
          inputMode="numeric"
          min={1}
          max={100}
          required
          value={seatQty}
          onChange={(e) => setSeatQty(e.target.value)}
          error={fieldError(error, 'seatQty')}
          hint={
            !Number.isInteger(qty) || qty < 1
              ? 'How many seats to book'
              : qty > flight.remainingSeatsCount
                ? `Only ${plural(flight.remainingSeatsCount, 'seat')} left: unless seats come back, this booking will be cancelled as sold out.`
                : `Total ${formatMoney(qty * flight.cost)}`
          }
        />
        <Field
          label="Card number"
          name="card"
          inputMode="numeric"
          autoComplete="cc-number"
          required
          value={card}
          onChange={(e) => setCard(e.target.value)}
          error={fieldError(error, 'card')}
          hint="Sandbox: no real card is charged. Pick a test card below."
        />
        <ErrorNote error={formError(error, ['seatQty', 'card'])} />
        <div className="actions">
          <button type="button" className="secondary" onClick={onClose}>
            Close
          </button>
          <button type="submit" disabled={busy || !seatQty || !card}>
            {busy ? 'Booking…' : `Book ${Number.isInteger(qty) && qty > 0 ? plural(qty, 'seat') : 'seats'}`}
          </button>
        </div>
      </form>

      <h3 id="cards-heading">Sandbox test cards</h3>
      {cards.loading ? <Loading what="test cards" /> : null}
      <ErrorNote error={cards.error} prefix="Could not load the test cards" />
      {cards.data ? (
        <ul className="cards" aria-labelledby="cards-heading">
          {cards.data.map((c) => (
            <li key={c.card}>
              <button type="button" className={`link${c.card === card.replace(/\s/g, '') ? ' chosen' : ''}`} onClick={() => setCard(c.card)} aria-pressed={c.card === card.replace(/\s/g, '')}>
                <code>{c.card.replace(/(\d{4})(?=\d)/g, '$1 ')}</code>
              </button>
              <span className={c.outcome === 'approved' ? 'ok' : 'warn'}>{c.outcome === 'approved' ? 'approves' : `declines: ${c.outcome}`}</span>
              <span className="muted">({c.description})</span>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
