// The availability view: every flight and its seats left, in memory, so that searches (a hundred or
// more for each booking) are answered without a database round trip. It is kept from the flight
// service's own committed writes: each one numbers its change of the flight (flightSeq, taken under
// the flight's row lock). The seats left are those of the highest-numbered change that says how many
// remain, and a cancellation (which is never undone) sticks, so the order in which commits report back
// does not matter; a write is visible to the next read of this process as soon as it has committed. Other replicas' writes are read from the table every
// `refreshMs` (cluster mode), which bounds how old a read can be.
import type { NewEvent } from '@airline/contracts';
import type { EventHandlers, HandlerContext } from '@airline/outbox';
import { departureDay, onSale, type Flight } from './domain.js';

/** A search of the view: route, day of departure (local at the origin), seats wanted. */
export interface FlightSearch {
  from?: string;
  to?: string;
  date?: string;
  passengers: number;
}

/** Departure order: by the UTC instant; a flight in the seeds' shape (no time) by its day, at its start. */
const departureKey = (f: Flight) => f.departure?.utc ?? departureDay(f);
const byDeparture = (a: Flight, b: Flight) =>
  departureKey(a) < departureKey(b) ? -1 : departureKey(a) > departureKey(b) ? 1 : a.id - b.id;

export interface FlightChange {
  flightId: number;
  flightSeq: number;
  remainingSeatsCount?: number;
  status?: Flight['status'];
}

/** A flight, and the number of the change its seats left come from. */
type Versioned = { flight: Flight; seatsSeq: number };

export class AvailabilityView {
  private readonly flights = new Map<number, Versioned>();
  /** Bumped on every change that altered what a read returns: the lists' ETag and cache key. */
  private version = 0;
  private listCache: { version: number; json: string; flights: Flight[] } | undefined;
  /** Tells a version of one process from another's (ETags survive a restart of the service otherwise). */
  private readonly epoch = Date.now().toString(36);

  /** `defaultCurrency`: the currency of a registration that names none (events from before fares had one). */
  constructor(private readonly options: { defaultCurrency?: string } = {}) {}

  /** A flight as it was committed (registration, or a row read from the table) at change `flightSeq`. */
  put(flight: Flight, flightSeq: number): void {
    const known = this.flights.get(flight.id);
    if (!known) {
      this.flights.set(flight.id, { flight, seatsSeq: flightSeq });
      this.version++;
      return;
    }
    this.apply({ flightId: flight.id, flightSeq, remainingSeatsCount: flight.remainingSeatsCount, status: flight.status });
  }

  /** A committed change of a flight's seats or status; seats older than those the view holds change nothing. */
  apply(change: FlightChange): void {
    const known = this.flights.get(change.flightId);
    if (!known) return; // a flight registered on another replica: its row comes with the next refresh
    const newerSeats = change.remainingSeatsCount !== undefined && change.flightSeq > known.seatsSeq;
    const cancels = change.status === 'CANCELLED' && known.flight.status !== 'CANCELLED';
    if (!newerSeats && !cancels) return;
    this.flights.set(change.flightId, {
      flight: {
        ...known.flight,
        ...(newerSeats ? { remainingSeatsCount: change.remainingSeatsCount! } : {}),
        ...(cancels ? { status: 'CANCELLED' as const } : {}),
      },
      seatsSeq: newerSeats ? change.flightSeq : known.seatsSeq,
    });
    this.version++;
  }

  /** What the flight service's own events say of its flights, once the transaction that emitted them has committed. */
  applyEvents(events: NewEvent[]): void {
    for (const e of events) {
      switch (e.type) {
        case 'FlightRegistered': {
          const d = e.data as NewEvent<'FlightRegistered'>['data'];
          const { flightId, flightSeq, currency, ...rest } = d;
          this.put(
            { id: flightId, ...rest, currency: currency ?? this.options.defaultCurrency ?? 'KRW', status: 'SCHEDULED' },
            flightSeq ?? 1,
          );
          break;
        }
        case 'SeatsReserved':
        case 'SeatsSoldOut':
        case 'SeatsReleased': {
          const d = e.data as NewEvent<'SeatsReserved' | 'SeatsSoldOut' | 'SeatsReleased'>['data'];
          if (d.flightSeq !== undefined)
            this.apply({ flightId: d.flightId, flightSeq: d.flightSeq, remainingSeatsCount: d.remainingSeatsCount });
          break;
        }
        case 'FlightCancelled': {
          const d = e.data as NewEvent<'FlightCancelled'>['data'];
          if (d.flightSeq !== undefined) this.apply({ flightId: d.flightId, flightSeq: d.flightSeq, status: 'CANCELLED' });
          break;
        }
        default:
          break; // not an event of a flight's seats or status
      }
    }
  }

  get(id: number): Flight | undefined {
    return this.flights.get(id)?.flight;
  }

  /** Every flight in id order (registration order), and that list as JSON, built once per version. */
  list(): { flights: Flight[]; json: string; etag: string } {
    if (this.listCache?.version !== this.version) {
      const flights = [...this.flights.values()].map((v) => v.flight).sort((a, b) => a.id - b.id);
      this.listCache = { version: this.version, flights, json: JSON.stringify(flights) };
    }
    return { flights: this.listCache.flights, json: this.listCache.json, etag: this.etag() };
  }

  /**
   * The flights on sale at `now` that match a search and have the seats, by departure. Filtered here, in
   * memory: no database round trip. Its ETag is the view's version and how many matching flights had
   * closed for booking: for one search, the answer changes with either, and only then.
   */
  search(q: FlightSearch, now: Date): { flights: Flight[]; json: string; etag: string } {
    let closed = 0;
    const flights = this.list().flights.filter((f) => {
      if (
        (q.from !== undefined && f.origin !== q.from) ||
        (q.to !== undefined && f.destination !== q.to) ||
        (q.date !== undefined && departureDay(f) !== q.date)
      )
        return false;
      if (f.status !== 'SCHEDULED' || f.remainingSeatsCount < q.passengers) return false;
      if (!onSale(f, now)) {
        closed++;
        return false;
      }
      return true;
    });
    flights.sort(byDeparture);
    return { flights, json: JSON.stringify(flights), etag: `W/"${this.epoch}-${this.version}-${closed}"` };
  }

  /** A weak validator of everything the view holds: any change of any flight changes it. */
  etag(): string {
    return `W/"${this.epoch}-${this.version}"`;
  }

  /** Takes in the rows changed since the last refresh (all of them the first time). */
  async refresh(
    changedSince: (since: string | undefined) => Promise<{ rows: Array<{ flight: Flight; flightSeq: number }>; at: string }>,
  ): Promise<void> {
    const { rows, at } = await changedSince(this.refreshedAt);
    for (const { flight, flightSeq } of rows) this.put(flight, flightSeq);
    this.refreshedAt = at;
  }

  /** The database's time at the start of the last refresh. */
  private refreshedAt: string | undefined;
}

/** The same handlers, whose emitted events also reach the view once their transaction has committed. */
export function feedingView(handlers: EventHandlers, view: AvailabilityView): EventHandlers {
  const fed: Record<string, (event: never, ctx: HandlerContext) => Promise<void>> = {};
  for (const [type, handler] of Object.entries(handlers) as Array<[string, (event: never, ctx: HandlerContext) => Promise<void>]>) {
    fed[type] = (event, ctx) =>
      handler(event, {
        ...ctx,
        emit: async (...events) => {
          await ctx.emit(...events);
          ctx.afterCommit(() => view.applyEvents(events));
        },
        emitFor: async (correlationId, ...events) => {
          await ctx.emitFor(correlationId, ...events);
          ctx.afterCommit(() => view.applyEvents(events));
        },
      });
  }
  return fed as EventHandlers;
}
