import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import type { Database } from '@airline/database';
import { appendToOutbox, type Clock } from '@airline/outbox';
import {
  badRequest,
  CalendarDate,
  CalendarDateOrTime,
  conflict,
  DATE_RANGE,
  DEFAULT_PAGE_SIZE,
  HAL_JSON,
  halItem,
  halPage,
  HalPageSchema,
  HttpProblem,
  idempotent,
  isCalendarDate,
  notFound,
  PagingQuery,
  sortingOf,
  sortItems,
  wantsHal,
  sendHal,
  type HttpApp,
} from '@airline/http';
import { airports, localToUtc, type AirportTable } from './airports.js';
import type { AvailabilityView } from './availability.js';
import {
  decideCancelFlight,
  decideRegistration,
  departureDay,
  FIRST_FLIGHT_SEQ,
  flightCancelled,
  flightRegistered,
  type Flight as FlightModel,
} from './domain.js';
import { findFlight, insertFlight, seatAccounting, setFlightStatus } from './repository.js';

const MAX_SEATS = 100_000;

const Iata = (description: string) => Type.String({ pattern: '^[A-Za-z]{3}$', minLength: 3, maxLength: 3, description, examples: ['ICN'] });
const LocalTime = (description: string, example: string) =>
  Type.String({ pattern: `^20\\d{2}-\\d{2}-\\d{2}T\\d{2}:\\d{2}$`, description: `YYYY-MM-DDThh:mm, ${description}`, examples: [example] });
const CurrencyCode = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 currency code', examples: ['KRW'] });

export const FlightInput = Type.Object(
  {
    flightCode: Type.String({ minLength: 1, maxLength: 16, pattern: '^[A-Za-z0-9-]+$', examples: ['ACE890'] }),
    origin: Type.Optional(Iata('IATA code of the airport the flight leaves from')),
    destination: Type.Optional(Iata('IATA code of the airport it flies to')),
    departureTime: Type.Optional(LocalTime('local time at the origin (its time zone comes from the airport table)', '2027-01-10T10:00')),
    arrivalTime: Type.Optional(LocalTime('local time at the destination', '2027-01-10T11:00')),
    takeoffDate: Type.Optional(
      CalendarDateOrTime({
        examples: ['2025-12-25'],
        description: `the seeds' field: a day that exists, years ${DATE_RANGE.firstYear}–${DATE_RANGE.lastYear} (a time of day may follow). With a departureTime it is that day (and may be left out); without one the flight is registered as the seeds do, with no route`,
      }),
    ),
    cost: Type.Integer({
      minimum: 0,
      maximum: 100_000_000,
      description: 'fare per seat, in minor units of currency (KRW has none: 200000 is ₩200,000)',
    }),
    currency: Type.Optional({ ...CurrencyCode, description: 'ISO 4217 currency code of cost; the configured default (KRW) when left out' }),
    remainingSeatsCount: Type.Optional(
      Type.Integer({ minimum: 0, maximum: MAX_SEATS, description: 'seeds: seats on sale; capacity when capacity is not given' }),
    ),
    capacity: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_SEATS })),
  },
  {
    description:
      "A scheduled flight gives origin, destination, departureTime and arrivalTime; a flight in the seeds' shape gives takeoffDate instead. Unknown fields (the seeds send id and status) are ignored: the server owns them.",
  },
);

const ScheduledTime = Type.Object(
  {
    local: Type.String({ description: 'YYYY-MM-DDThh:mm, the wall clock at the airport' }),
    timeZone: Type.String({ description: 'IANA time zone of the airport' }),
    utc: Type.String({ format: 'date-time', description: 'the same instant in UTC' }),
  },
  { title: 'ScheduledTime' },
);

export const Flight = Type.Object(
  {
    id: Type.Integer(),
    flightCode: Type.String(),
    takeoffDate: Type.String({ description: "day of departure, local at the origin (the seeds' field)" }),
    cost: Type.Integer({ description: 'fare per seat, minor units of currency' }),
    currency: Type.String({ description: 'ISO 4217' }),
    capacity: Type.Integer(),
    remainingSeatsCount: Type.Integer(),
    status: Type.Union([Type.Literal('SCHEDULED'), Type.Literal('CANCELLED')]),
    origin: Type.Optional(Type.String({ description: 'IATA code (scheduled flights)' })),
    destination: Type.Optional(Type.String({ description: 'IATA code (scheduled flights)' })),
    departure: Type.Optional(ScheduledTime),
    arrival: Type.Optional(ScheduledTime),
    bookingClosesAt: Type.Optional(Type.String({ format: 'date-time', description: 'no booking is placed from then on (UTC)' })),
  },
  { title: 'Flight' },
);

export const Airport = Type.Object(
  {
    code: Type.String({ description: 'IATA' }),
    name: Type.String(),
    city: Type.String(),
    country: Type.String({ description: 'ISO 3166-1 alpha-2' }),
    countryName: Type.String(),
    timeZone: Type.String({ description: 'IANA time zone' }),
  },
  { title: 'Airport' },
);

const SearchQuery = Type.Object({
  from: Type.Optional(Iata('IATA code of the origin')),
  to: Type.Optional({ ...Iata('IATA code of the destination'), examples: ['JFK'] }),
  date: Type.Optional(CalendarDate({ description: 'day of departure, local at the origin', examples: ['2027-01-10'] })),
  passengers: Type.Optional(
    Type.Integer({ minimum: 1, maximum: MAX_SEATS, description: 'seats wanted: only flights with that many left' }),
  ),
  ...PagingQuery,
});
const SORTABLE = ['id', 'flightCode', 'takeoffDate', 'cost', 'capacity', 'remainingSeatsCount', 'status', 'origin', 'destination'] as const;

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });
const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.Optional(Type.String()),
  field: Type.Optional(Type.String()),
});
const IdempotencyHeaders = Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) });

/**
 * Searches are answered from the availability view (availability.ts), without a database round trip.
 * A read that carries the ETag of what it saw last gets a 304 when nothing changed. `no-cache`: a cache
 * may keep the answer but must ask again each time, since seats left may change at any moment.
 */
const REVALIDATE = 'no-cache';

export interface FlightRouteOptions {
  /** Currency of a fare registered without one (ISO 4217; the seeds' fares are KRW). */
  defaultCurrency?: string;
  /** Booking closes this many minutes before a scheduled departure. */
  bookingClosesMinutes?: number;
  airports?: AirportTable;
}

export const DEFAULT_CURRENCY = 'KRW';
export const DEFAULT_BOOKING_CLOSES_MINUTES = 60;
/** ISO 4217 codes this runtime's ICU knows (Intl formats them). */
const currencies = new Set(Intl.supportedValuesOf('currency'));

/** 409: the flight code is already used on that day. */
const flightCodeTaken = (f: { flightCode: string; takeoffDate: string }) =>
  new HttpProblem(409, 'Conflict', `flight ${f.flightCode.toUpperCase()} is already registered on ${departureDay(f)}`, 'flightCode');

export function flightRoutes(
  app: HttpApp,
  db: Database,
  clock: Clock,
  onCommit: () => void,
  view: AvailabilityView,
  options: FlightRouteOptions = {},
) {
  const defaultCurrency = options.defaultCurrency ?? DEFAULT_CURRENCY;
  const bookingClosesMinutes = options.bookingClosesMinutes ?? DEFAULT_BOOKING_CLOSES_MINUTES;
  const table = {
    get: (code: string) => (options.airports ?? airports()).get(code),
    search: (q: string, n: number) => (options.airports ?? airports()).search(q, n),
  };
  app.post(
    '/flights',
    {
      schema: {
        tags: ['flights'],
        summary: 'Register a flight (staff)',
        body: FlightInput,
        headers: IdempotencyHeaders,
        response: { 201: Flight, 400: Problem, 409: Problem, 422: Problem },
      },
    },
    async (req, reply) => {
      const input = req.body as Static<typeof FlightInput>;
      if (input.takeoffDate !== undefined && !isCalendarDate(input.takeoffDate))
        throw badRequest(`takeoffDate is not a day that exists in ${DATE_RANGE.firstYear}–${DATE_RANGE.lastYear}`, 'takeoffDate');
      for (const field of ['departureTime', 'arrivalTime'] as const) {
        const value = input[field];
        if (value !== undefined && !isCalendarDate(value))
          throw badRequest(
            `${field} is not a time that exists (YYYY-MM-DDThh:mm, years ${DATE_RANGE.firstYear}–${DATE_RANGE.lastYear})`,
            field,
          );
      }
      const decision = decideRegistration(input, {
        now: clock(),
        airport: (code) => table.get(code),
        toUtc: localToUtc,
        defaultCurrency,
        bookingClosesMinutes,
        isCurrency: (code) => currencies.has(code),
      });
      if (!decision.ok) throw badRequest(decision.detail, decision.field);
      const result = await idempotent(db, req.headers['idempotency-key'], input, async (tx) => {
        const flight = await insertFlight(tx, decision.flight);
        if (!flight) throw flightCodeTaken(decision.flight);
        appendToOutbox(tx, [flightRegistered(flight)], { correlationId: `flight-${flight.id}`, causationId: req.id }, clock);
        return { status: 201, body: flight };
      });
      if (!result.replayed) onCommit();
      view.put(result.body, FIRST_FLIGHT_SEQ);
      reply.status(result.status as 201).header('location', `/flights/${result.body.id}`);
      return result.body;
    },
  );

  app.get(
    '/flights',
    {
      schema: {
        tags: ['flights'],
        summary: 'Flights with their seats left; with from, to, date or passengers, a search',
        description:
          "Without a query: every flight in registration order (the seeds' list). With any of from, to, date and passengers: the flights on sale (scheduled, booking not closed) that match all of them and have that many seats left, sorted by departure. Answered from memory (the availability view), with an ETag.",
        querystring: SearchQuery,
        response: {
          200: {
            description: 'The flights (application/json), or a page of them (application/hal+json, honouring page, size and sort)',
            content: { 'application/json': { schema: Type.Array(Flight) }, [HAL_JSON]: { schema: HalPageSchema('flights', Flight) } },
          },
          304: Type.Null({ description: 'Not Modified: the If-None-Match ETag is current' }),
          400: Problem,
        },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const searching = q.from !== undefined || q.to !== undefined || q.date !== undefined || q.passengers !== undefined;
      if (searching && q.date !== undefined && !isCalendarDate(q.date)) throw badRequest('date is not a day that exists', 'date');
      const hal = wantsHal(req.headers.accept);
      const sorting = hal ? sortingOf(q.sort, SORTABLE, 'id') : undefined;
      const found = searching
        ? view.search({ from: q.from?.toUpperCase(), to: q.to?.toUpperCase(), date: q.date, passengers: q.passengers ?? 1 }, clock())
        : view.list();
      const { json } = found;
      const etag = hal ? found.etag.replace(/"$/, '-hal"') : found.etag;
      reply.header('etag', etag).header('cache-control', REVALIDATE).header('vary', 'accept');
      if (req.headers['if-none-match'] === etag) return notModified(reply);
      if (hal) {
        // a search keeps its departure order unless a sort is asked for
        const flights = found.flights as unknown as Array<Record<string, unknown>>;
        const all = q.sort === undefined && searching ? flights : sortItems(flights, sorting!);
        const size = q.size ?? DEFAULT_PAGE_SIZE;
        const page = q.page ?? 0;
        const { page: _p, size: _s, ...rest } = q;
        const body = halPage({
          collection: 'flights',
          items: all.slice(page * size, page * size + size),
          totalElements: all.length,
          path: '/flights',
          query: rest,
          page,
          size,
          itemHref: (f) => `/flights/${(f as { id: number }).id}`,
        });
        return sendHal(reply as FastifyReply, body);
      }
      return (reply as FastifyReply).type('application/json; charset=utf-8').send(json); // serialized once per change of the view (a search: per request)
    },
  );

  app.get(
    '/airports',
    {
      schema: {
        tags: ['airports'],
        summary: 'Airports whose IATA code, city or name matches q (for autocomplete)',
        querystring: Type.Object({
          q: Type.String({
            minLength: 1,
            maxLength: 64,
            description: 'a code, or the start of a city or airport name',
            examples: ['seoul'],
          }),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10 })),
        }),
        response: { 200: Type.Array(Airport), 400: Problem },
      },
    },
    async (req, reply) => {
      reply.header('cache-control', 'public, max-age=86400');
      return table.search(req.query.q, req.query.limit ?? 10);
    },
  );

  app.get(
    '/airports/:code',
    {
      schema: {
        tags: ['airports'],
        summary: 'One airport by IATA code',
        params: Type.Object({ code: Iata('IATA code') }),
        response: { 200: Airport, 400: Problem, 404: Problem },
      },
    },
    async (req, reply) => {
      const airport = table.get(req.params.code);
      if (!airport) throw notFound(`airport ${req.params.code.toUpperCase()}`);
      reply.header('cache-control', 'public, max-age=86400');
      return airport;
    },
  );

  app.get(
    '/flights/:id',
    {
      schema: {
        tags: ['flights'],
        summary: 'One flight with its seats left',
        params: IdParams,
        response: {
          200: {
            description: 'The flight (HAL with its self link when asked for)',
            content: { 'application/json': { schema: Flight }, [HAL_JSON]: { schema: Flight } },
          },
          404: Problem,
          304: Type.Null({ description: 'Not Modified: the If-None-Match ETag is current' }),
        },
      },
    },
    async (req, reply) => {
      // a flight registered on another replica a moment ago may not be in this one's view yet
      const flight = view.get(req.params.id) ?? (await findFlight(db, req.params.id));
      if (!flight) throw notFound(`flight ${req.params.id}`);
      const hal = wantsHal(req.headers.accept);
      const etag = hal ? flightEtag(flight).replace(/"$/, '-hal"') : flightEtag(flight);
      reply.header('etag', etag).header('cache-control', REVALIDATE).header('vary', 'accept');
      if (req.headers['if-none-match'] === etag) return notModified(reply);
      if (hal) return sendHal(reply as FastifyReply, halItem(flight, `/flights/${flight.id}`));
      return flight;
    },
  );

  app.get(
    '/flights/:id/seats',
    {
      schema: {
        tags: ['flights'],
        summary: 'Seat accounting: capacity = remaining + held + sold',
        params: IdParams,
        response: {
          200: Type.Object({ capacity: Type.Integer(), remainingSeatsCount: Type.Integer(), held: Type.Integer(), sold: Type.Integer() }),
          404: Problem,
        },
      },
    },
    async (req) => {
      const flight = await findFlight(db, req.params.id);
      if (!flight) throw notFound(`flight ${req.params.id}`);
      const { held, sold } = await seatAccounting(db, flight.id);
      return { capacity: flight.capacity, remainingSeatsCount: flight.remainingSeatsCount, held, sold };
    },
  );

  app.post(
    '/flights/:id/cancel',
    {
      schema: {
        tags: ['flights'],
        summary: 'Cancel a flight (staff): every active reservation on it is cancelled and refunded',
        params: IdParams,
        response: { 200: Flight, 404: Problem, 409: Problem },
      },
    },
    async (req) => {
      const { flight, flightSeq } = await db.transaction(async (tx) => {
        const found = await findFlight(tx, req.params.id, true);
        if (!found) throw notFound(`flight ${req.params.id}`);
        const decision = decideCancelFlight(found);
        if (!decision.ok) throw conflict(`flight ${found.id} is already cancelled`);
        const { flightSeq } = await setFlightStatus(tx, found.id, 'CANCELLED');
        appendToOutbox(tx, [flightCancelled(found, flightSeq)], { correlationId: `flight-${found.id}`, causationId: req.id }, clock);
        return { flight: { ...found, status: 'CANCELLED' } satisfies FlightModel, flightSeq };
      });
      view.apply({ flightId: flight.id, flightSeq, status: 'CANCELLED' });
      onCommit();
      return flight;
    },
  );
}

/** 304: the copy the client holds is current (no body, whatever the route's 200 schema says). */
const notModified = (reply: unknown) => (reply as FastifyReply).status(304).send();

/** One flight's validator: its seats left and status are all that change. */
const flightEtag = (f: FlightModel) => `W/"${f.id}-${f.remainingSeatsCount}-${f.status}"`;
