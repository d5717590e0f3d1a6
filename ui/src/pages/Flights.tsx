// Customer: search flights by route, day and passengers (seats left update live), book N seats with a card.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, newIdempotencyKey } from '../api';
import { useUser } from '../auth';
import { useResource, useTitle } from '../hooks';
import { navigate } from '../router';
import { declineText, filterFlights, formatDeparture, formatMoney, onSale, plural, type FlightFilter } from '../format';
import { apiProblems, bookingProblems, withoutField, type Problems } from '../forms';
import { Empty, ErrorNote, Field, Loading, formError } from '../components/ui';
import { FlightTable } from '../components/FlightTable';
import type { Airport, Flight, Reservation, TestCard } from '../types';

export const FLIGHTS_REFRESH_MS = 2000;
/** The reservation service's default maxSeatsPerBooking (GET /reservations/limits is staff's). */
const MAX_SEATS_PER_BOOKING = 9;

export function Flights() {
  useTitle('Flights');
  const [route, setRoute] = useState({ from: '', to: '', date: '', passengers: '1' });
  const [from, to] = [route.from.trim(), route.to.trim()];
  const searching = /^[A-Za-z]{3}$/.test(from) && /^[A-Za-z]{3}$/.test(to);
  const query = searching
    ? `/flights?${new URLSearchParams({ from: from.toUpperCase(), to: to.toUpperCase(), passengers: String(Math.max(1, Number(route.passengers) || 1)), ...(route.date ? { date: route.date } : {}) })}`
    : '/flights';
  const flights = useResource((signal) => api.get<Flight[]>(query, { signal }), [query], FLIGHTS_REFRESH_MS);
  const [filter, setFilter] = useState<FlightFilter>({ text: '', from: '', withSeatsOnly: true });
  const [selectedId, setSelectedId] = useState<number | null>(null);
  // departed flights (booking closed) are not offered
  const shown = flights.data ? filterFlights(flights.data, filter).filter((f) => f.status !== 'SCHEDULED' || onSale(f)) : [];
  const selected = flights.data?.find((f) => f.id === selectedId) ?? null;
  // airports the catalog flies from and to, then the airport table's matches for what is typed (code, city or name)
  const served = [...new Set((flights.data ?? []).flatMap((f) => [f.origin, f.destination]).filter((c): c is string => !!c))].sort();
  const fromMatches = useAirportMatches(route.from);
  const toMatches = useAirportMatches(route.to);

  return (
    <main id="main">
      <h1>Find a flight</h1>
      {/* biome-ignore lint/a11y/useSemanticElements: the search landmark on the form itself; <search> is not in React's DOM types yet */}
      <form className="filters card" role="search" aria-label="Search by route" onSubmit={(e) => e.preventDefault()}>
        <Field
          label="From"
          list="from-airports"
          autoComplete="off"
          value={route.from}
          onChange={(e) => setRoute({ ...route, from: e.target.value })}
          placeholder="e.g. ICN or Seoul"
          maxLength={64}
          hint="Airport code, or start typing a city"
        />
        <Field
          label="To"
          list="to-airports"
          autoComplete="off"
          value={route.to}
          onChange={(e) => setRoute({ ...route, to: e.target.value })}
          placeholder="e.g. JFK or New York"
          maxLength={64}
          hint="Airport code, or start typing a city"
        />
        <Field label="Date" type="date" value={route.date} onChange={(e) => setRoute({ ...route, date: e.target.value })} />
        <Field
          label="Passengers"
          type="number"
          inputMode="numeric"
          min={1}
          max={9}
          value={route.passengers}
          onChange={(e) => setRoute({ ...route, passengers: e.target.value })}
        />
        <AirportOptions id="from-airports" served={served} matches={fromMatches} />
        <AirportOptions id="to-airports" served={served} matches={toMatches} />
      </form>
      {/* biome-ignore lint/a11y/useSemanticElements: the search landmark on the form itself; <search> is not in React's DOM types yet */}
      <form className="filters card" role="search" aria-label="Filter flights" onSubmit={(e) => e.preventDefault()}>
        <Field
          label="Flight code"
          type="search"
          value={filter.text}
          onChange={(e) => setFilter({ ...filter, text: e.target.value })}
          placeholder="e.g. KE081"
        />
        <Field
          label="Departing on or after"
          type="date"
          value={filter.from}
          onChange={(e) => setFilter({ ...filter, from: e.target.value })}
        />
        <div className="field checkbox">
          <input
            id="with-seats"
            type="checkbox"
            checked={filter.withSeatsOnly}
            onChange={(e) => setFilter({ ...filter, withSeatsOnly: e.target.checked })}
          />
          <label htmlFor="with-seats">Only flights with seats left</label>
        </div>
      </form>

      <div className="split">
        <section aria-labelledby="flights-heading" className="card">
          <h2 id="flights-heading">
            Flights{' '}
            <span className="live" title="Seats left refresh every few seconds">
              live
            </span>
          </h2>
          {flights.loading ? <Loading what="flights" /> : null}
          <ErrorNote error={flights.error} prefix="Could not refresh the flights" />
          {flights.data && shown.length === 0 ? (
            <Empty>{flights.data.length === 0 ? 'No flights are on sale yet.' : 'No flight matches your search.'}</Empty>
          ) : null}
          {shown.length > 0 ? (
            <FlightTable
              flights={shown}
              labelledBy="flights-heading"
              selectedId={selectedId}
              action={(f) => (
                <button
                  type="button"
                  onClick={() => setSelectedId(f.id)}
                  disabled={f.status !== 'SCHEDULED'}
                  aria-label={`Book ${f.flightCode}`}
                >
                  Book
                </button>
              )}
            />
          ) : null}
        </section>
        {selected ? <BookingForm key={selected.id} flight={selected} onClose={() => setSelectedId(null)} /> : null}
      </div>
    </main>
  );
}

/** The airport table's matches for what is typed in a From or To field (2 letters or more, not yet a code the catalog serves). */
function useAirportMatches(typed: string): Airport[] {
  const q = typed.trim();
  const matches = useResource(
    (signal) => (q.length >= 2 ? api.get<Airport[]>(`/airports?q=${encodeURIComponent(q)}&limit=8`, { signal }) : Promise.resolve([])),
    [q],
  );
  return matches.data ?? [];
}

/** Suggestions of a From or To field: the value is the code, the label says where it is. */
function AirportOptions({ id, served, matches }: { id: string; served: string[]; matches: Airport[] }) {
  const codes = new Set(matches.map((a) => a.code));
  return (
    <datalist id={id}>
      {matches.map((a) => (
        <option key={a.code} value={a.code} label={`${a.city}, ${a.countryName} — ${a.name}`} />
      ))}
      {served
        .filter((c) => !codes.has(c))
        .map((code) => (
          <option key={code} value={code} />
        ))}
    </datalist>
  );
}

function BookingForm({ flight, onClose }: { flight: Flight; onClose: () => void }) {
  const user = useUser();
  const cards = useResource((signal) => api.get<TestCard[]>('/sandbox/test-cards', { signal }), []);
  const [seatQty, setSeatQty] = useState('1');
  const [card, setCard] = useState('4242424242424242');
  const [names, setNames] = useState<Array<{ givenName: string; familyName: string }>>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [problems, setProblems] = useState<Problems>({});
  const idempotencyKey = useRef(newIdempotencyKey());
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  const cap = Math.max(0, Math.min(flight.remainingSeatsCount, MAX_SEATS_PER_BOOKING));
  const qty = Number(seatQty);
  const seats = Number.isInteger(qty) && qty > 0 ? Math.min(qty, cap) : 0;
  const passengers = Array.from({ length: seats }, (_, i) => names[i] ?? { givenName: '', familyName: '' });
  const edit = (field: string) => setProblems((p) => withoutField(p, field));
  const setName = (i: number, key: 'givenName' | 'familyName', value: string) => {
    const next = [...passengers];
    next[i] = { ...next[i]!, [key]: value };
    setNames(next);
    edit(`passengers.${i}.${key}`);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const found = bookingProblems({ seatQty, card, passengers }, flight.remainingSeatsCount, MAX_SEATS_PER_BOOKING);
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      const named = passengers
        .filter((p) => p.givenName.trim() && p.familyName.trim())
        .map((p) => ({ givenName: p.givenName.trim(), familyName: p.familyName.trim() }));
      // the card goes to the processor's vault first, as hosted card fields do: the booking carries its token
      const paymentMethod = await api.post<{ id: string }>('/sandbox/payment-methods', { card: card.replace(/\s/g, '') });
      const body = {
        customerId: user.customerId ?? undefined,
        flightId: flight.id,
        seatQty: qty,
        paymentMethod: paymentMethod.id,
        ...(named.length > 0 ? { passengers: named } : {}),
      };
      const r = await api.post<Reservation>('/reservations', body, { idempotencyKey: idempotencyKey.current });
      navigate(`/my/bookings/${r.id}`);
    } catch (err) {
      setError(err);
      setProblems(apiProblems(err));
      setBusy(false);
      idempotencyKey.current = newIdempotencyKey(); // a corrected form is a new request
    }
  };
  const fields = ['seatQty', 'card', ...passengers.flatMap((_, i) => [`passengers.${i}.givenName`, `passengers.${i}.familyName`])];

  return (
    <section className="card booking" aria-labelledby="booking-heading">
      <h2 id="booking-heading" ref={heading} tabIndex={-1}>
        Book {flight.flightCode}
      </h2>
      <p className="muted">
        {flight.origin ? `${flight.origin} → ${flight.destination} · ` : ''}
        {formatDeparture(flight)} · fare {formatMoney(flight.cost, flight.currency)} per seat · {plural(flight.remainingSeatsCount, 'seat')}{' '}
        left
      </p>
      <form onSubmit={submit} noValidate>
        <Field
          label="Seats"
          name="seatQty"
          type="number"
          inputMode="numeric"
          min={1}
          max={Math.max(1, cap)}
          required
          value={seatQty}
          onChange={(e) => {
            setSeatQty(e.target.value);
            edit('seatQty');
          }}
          error={problems.seatQty}
          hint={
            seats > 0 ? `Total ${formatMoney(seats * flight.cost, flight.currency)} · at most ${plural(cap, 'seat')}` : `From 1 to ${cap}`
          }
        />
        {passengers.length > 0 ? (
          <fieldset className="passengers">
            <legend>Passengers (optional: name them now or later)</legend>
            {passengers.map((p, i) => (
              <div className="passenger" key={i}>
                <Field
                  label={`Passenger ${i + 1} given name`}
                  autoComplete="off"
                  value={p.givenName}
                  onChange={(e) => setName(i, 'givenName', e.target.value)}
                  error={problems[`passengers.${i}.givenName`]}
                  maxLength={64}
                />
                <Field
                  label={`Passenger ${i + 1} family name`}
                  autoComplete="off"
                  value={p.familyName}
                  onChange={(e) => setName(i, 'familyName', e.target.value)}
                  error={problems[`passengers.${i}.familyName`]}
                  maxLength={64}
                />
              </div>
            ))}
          </fieldset>
        ) : null}
        <Field
          label="Card number"
          name="card"
          inputMode="numeric"
          autoComplete="cc-number"
          required
          value={card}
          onChange={(e) => {
            setCard(e.target.value);
            edit('card');
          }}
          error={problems.card}
          hint="Sandbox: no real card is charged. Pick a test card below."
        />
        <ErrorNote error={formError(error, fields)} />
        <div className="actions">
          <button type="button" className="secondary" onClick={onClose}>
            Close
          </button>
          <button type="submit" disabled={busy}>
            {busy ? 'Booking…' : `Book ${seats > 0 ? plural(seats, 'seat') : 'seats'}`}
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
              <button
                type="button"
                className={`link${c.card === card.replace(/\s/g, '') ? ' chosen' : ''}`}
                onClick={() => {
                  setCard(c.card);
                  edit('card');
                }}
                aria-pressed={c.card === card.replace(/\s/g, '')}
              >
                <code>{c.card.replace(/(\d{4})(?=\d)/g, '$1 ')}</code>
              </button>
              <span className={c.outcome === 'approved' ? 'ok' : 'warn'}>
                {c.outcome === 'approved' ? 'approves' : `declines: ${declineText(c.outcome)}`}
              </span>
              <span className="muted">({c.description})</span>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
