import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { groupCommit, UnitOfWork, type Database } from '@airline/database';
import { currentTraceparent } from '@airline/telemetry';
import type { Clock } from '@airline/outbox';
import {
  CalendarDate,
  DATE_RANGE,
  DEFAULT_PAGE_SIZE,
  HAL_JSON,
  halItem,
  halPage,
  HttpProblem,
  idempotent,
  notFound,
  PagingQuery,
  sortingOf,
  wantsHal,
  listOrHalPage,
  sendHal,
  type HttpApp,
} from '@airline/http';
import { customerCancelled } from './booking-saga.js';
import { emitFromRequest, execute, placeMany, type PlaceRequest, type ReservationHandled } from './commands.js';
import { CARD_NUMBER_PATTERN, DEFAULT_PAYMENT_METHOD, PAYMENT_METHOD_PATTERN } from '@airline/contracts';
import { FlightDirectoryUnavailable, type FlightDirectory } from './flight-directory.js';
import { TOKENISE_RETRY_AFTER_S, paymentMethodOf, type PaymentMethods } from './payment-methods.js';
import { defaultBookingLimits, MAX_AMOUNT, ReservationRejected, type BookingLimits, type Reservation } from './reservation.js';
import {
  findByReference,
  findReservation,
  findReservationForUpdate,
  isBookingReferenceTaken,
  learnFlight,
  listReservations,
  RESERVATION_SORT_COLUMNS,
  reservationPage,
} from './repository.js';

/** The most maxSeatsPerBooking may be configured to. */
export const MAX_SEATS_PER_BOOKING = 100;
/** What a booking without card or paymentMethod is charged to: the sandbox's approving Visa. */
export const DEFAULT_PAYMENT_METHOD_ID = DEFAULT_PAYMENT_METHOD.paymentMethod;

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });

const Name = (description: string, example: string) =>
  Type.String({
    minLength: 1,
    maxLength: 64,
    pattern: '^\\S(.*\\S)?$',
    description: `${description}: 1–64 characters, no space at either end`,
    examples: [example],
  });
export const PassengerInput = Type.Object(
  { givenName: Name('given name(s), as on the travel document', 'Minji'), familyName: Name('family name', 'Kim') },
  { additionalProperties: false },
);
const passengersInput = (maxSeatsPerBooking: number) =>
  Type.Array(PassengerInput, {
    maxItems: maxSeatsPerBooking,
    description: 'one passenger per seat, in seat order (at most seatQty); seats without one are to be named, and can be named later',
  });

/** The booking a client sends; seatQty is capped by the configured maxSeatsPerBooking. */
export const reservationInput = (maxSeatsPerBooking: number) =>
  Type.Object(
    {
      customerId: Id,
      flightId: Id,
      seatQty: Type.Integer({ minimum: 1, maximum: maxSeatsPerBooking, description: `at most ${maxSeatsPerBooking} (maxSeatsPerBooking)` }),
      passengers: Type.Optional(passengersInput(maxSeatsPerBooking)),
      reserveDate: Type.Optional(
        CalendarDate({ description: `a day that exists, years ${DATE_RANGE.firstYear}–${DATE_RANGE.lastYear}; defaults to today` }),
      ),
      card: Type.Optional(
        Type.String({
          pattern: CARD_NUMBER_PATTERN,
          description: `card number: 12–19 digits passing the Luhn check; swapped for a processor token before anything is stored. Default: the token ${DEFAULT_PAYMENT_METHOD_ID} (approves)`,
        }),
      ),
      paymentMethod: Type.Optional(
        Type.String({
          pattern: PAYMENT_METHOD_PATTERN,
          description: 'a token from the processor (POST /v1/payment-methods, or a test token like pm_card_visa), instead of card',
        }),
      ),
    },
    { description: 'id and status are owned by the server: when sent (the seeds do) they are ignored.' },
  );
export const ReservationInput = reservationInput(defaultBookingLimits.maxSeatsPerBooking);

export const BookingLimitsView = Type.Object({
  maxSeatsPerBooking: Type.Integer({ description: 'seats one booking may ask for' }),
  maxSeatsPerCustomerOnFlight: Type.Integer({
    description: "seats of one customer's active (PENDING or CONFIRMED) reservations on one flight",
  }),
  maxAmount: Type.Integer({ description: 'the largest amount (cost × seatQty) one booking may come to' }),
});

export const ReservationView = Type.Object(
  {
    id: Type.Integer(),
    bookingReference: Type.String(),
    customerId: Type.Integer(),
    flightId: Type.Integer(),
    seatQty: Type.Integer(),
    amount: Type.Integer({ description: 'cost × seatQty, in minor units of currency' }),
    currency: Type.String({ description: 'ISO 4217' }),
    reserveDate: Type.String(),
    cardLast4: Type.String(),
    passengers: Type.Array(
      Type.Object({
        givenName: Type.Union([Type.String(), Type.Null()]),
        familyName: Type.Union([Type.String(), Type.Null()]),
        toBeNamed: Type.Boolean({ description: 'true: this seat has no passenger named yet (names are null)' }),
      }),
      { description: 'one entry per seat, in seat order' },
    ),
    status: Type.Union([Type.Literal('PENDING'), Type.Literal('CONFIRMED'), Type.Literal('CANCELED')]),
    cancelReason: Type.Union([Type.String(), Type.Null()]),
    holdExpiresAt: Type.String(),
  },
  { title: 'Reservation' },
);

const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.Optional(Type.String()),
  field: Type.Optional(Type.String()),
  code: Type.Optional(
    Type.String({
      description:
        'why a booking was refused: UNKNOWN_FLIGHT, FLIGHT_CANCELLED, BOOKING_CLOSED, SEAT_LIMIT, CUSTOMER_SEAT_LIMIT, AMOUNT_TOO_LARGE, ALREADY_CANCELLED',
    }),
  ),
  bookingClosesAt: Type.Optional(Type.String({ format: 'date-time', description: 'when booking for the flight closed (BOOKING_CLOSED)' })),
  limit: Type.Optional(Type.Integer({ description: 'the limit a refused booking would pass' })),
  heldSeats: Type.Optional(Type.Integer({ description: 'seats the customer already holds on the flight' })),
});
const IdParams = Type.Object({ id: Id });
const ListQuery = Type.Object({
  customerId: Type.Optional(Id),
  flightId: Type.Optional(Id),
  status: Type.Optional(Type.Union([Type.Literal('PENDING'), Type.Literal('CONFIRMED'), Type.Literal('CANCELED')])),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 1000 })),
  after: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647, default: 0 })),
  ...PagingQuery,
});
const RESERVATION_SORTABLE = Object.keys(RESERVATION_SORT_COLUMNS) as Array<keyof typeof RESERVATION_SORT_COLUMNS>;

const refusalAnswer: Record<ReservationRejected['code'], { status: number; title: string }> = {
  UNKNOWN_FLIGHT: { status: 422, title: 'Unknown flight' },
  FLIGHT_CANCELLED: { status: 409, title: 'Conflict' },
  BOOKING_CLOSED: { status: 409, title: 'Booking closed' },
  TOO_MANY_PASSENGERS: { status: 400, title: 'Invalid request' },
  SEAT_LIMIT: { status: 422, title: 'Seat limit' },
  CUSTOMER_SEAT_LIMIT: { status: 409, title: 'Seat limit' },
  AMOUNT_TOO_LARGE: { status: 422, title: 'Amount too large' },
  ALREADY_CANCELLED: { status: 409, title: 'Conflict' },
  NOT_PLACED: { status: 409, title: 'Conflict' },
};

/** The answer to a refusal: a problem naming its code, the field at fault and what the client needs to act on it. */
function refusalProblem(refusal: ReservationRejected): HttpProblem {
  const { status, title } = refusalAnswer[refusal.code];
  return new HttpProblem(status, title, refusal.message, refusal.field, { code: refusal.code, ...refusal.details });
}

/** A placement's refusal comes back from the group commit as its rejection: answered as a problem too. */
function toProblem(err: unknown): never {
  throw err instanceof ReservationRejected ? refusalProblem(err) : err;
}

/** Checks configured limits: what the schema and the amount column can hold. */
export function bookingLimits(limits: Partial<BookingLimits> = {}): BookingLimits {
  const resolved: BookingLimits = {
    maxSeatsPerBooking: limits.maxSeatsPerBooking ?? defaultBookingLimits.maxSeatsPerBooking,
    maxSeatsPerCustomerOnFlight: limits.maxSeatsPerCustomerOnFlight ?? defaultBookingLimits.maxSeatsPerCustomerOnFlight,
  };
  const { maxSeatsPerBooking: perBooking, maxSeatsPerCustomerOnFlight: perCustomer } = resolved;
  if (!Number.isInteger(perBooking) || perBooking < 1 || perBooking > MAX_SEATS_PER_BOOKING)
    throw new Error(`maxSeatsPerBooking must be a whole number 1–${MAX_SEATS_PER_BOOKING}, not ${perBooking}`);
  if (!Number.isInteger(perCustomer) || perCustomer < perBooking)
    throw new Error(
      `maxSeatsPerCustomerOnFlight must be a whole number of at least maxSeatsPerBooking (${perBooking}), not ${perCustomer}`,
    );
  return resolved;
}

export interface ReservationRouteConfig {
  holdTtlMs: number;
  /** Seats per booking and per customer on a flight (default: 9 and 18). */
  limits?: Partial<BookingLimits>;
  /** A fresh booking reference (default: random); tests draw their own to force a taken one. */
  drawReference?: () => string;
  /** Asked when the local catalog lacks a booking's flight (FlightRegistered not arrived yet); without it, such a booking is refused. */
  flightDirectory?: FlightDirectory;
  /** Swaps a card sent to POST /reservations for a token (without it, only tokens and the default card are taken). */
  paymentMethods?: PaymentMethods;
  /** Told the size of each group-commit transaction that committed (airline_group_commit_size). */
  onGroupCommitted?: (size: number) => void;
}

/** Seconds a client should wait before booking again when the flight service did not answer. */
const FLIGHT_DIRECTORY_RETRY_AFTER_S = 2;

/** A taken booking reference fails its transaction; running it again draws another (36^6 of them: rare). */
async function drawingAgainIfTaken<T>(run: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await run();
    } catch (err) {
      if (!isBookingReferenceTaken(err) || i >= attempts) throw err;
    }
  }
}

export function reservationRoutes(app: HttpApp, db: Database, clock: Clock, onCommit: () => void, config: ReservationRouteConfig) {
  const limits = bookingLimits(config.limits);
  const placeOptions = { holdTtlMs: config.holdTtlMs, clock, drawReference: config.drawReference, limits };
  const ReservationInput = reservationInput(limits.maxSeatsPerBooking);
  // bookings without an Idempotency-Key that arrive together are placed in one transaction
  const placeGrouped = groupCommit<PlaceRequest, Reservation>({
    db,
    onCommit: (size) => {
      onCommit();
      config.onGroupCommitted?.(size);
    },
    run: (tx, requests) => placeMany(tx, requests, placeOptions),
    // a taken booking reference (rare) fails a group, and the re-run draws others; anything else is a mistake
    onGroupFailed: (err, size) => {
      if (!isBookingReferenceTaken(err)) app.log.warn({ err, size }, 'a group of bookings failed; placing them one at a time');
    },
  });
  /**
   * With an Idempotency-Key: alone, in the transaction that claims the key. A replay answers what the
   * reservation is now (it may have been confirmed or cancelled since), not the PENDING of the first answer.
   */
  const placeOnce = async (
    key: string,
    request: PlaceRequest,
    fingerprint: unknown,
  ): Promise<{ reservation: Reservation; replayed: boolean }> => {
    const result = await idempotent(db, key, fingerprint, async (tx) => {
      const [outcome] = await placeMany(tx, [request], placeOptions);
      if ('refused' in outcome!) throw outcome.refused;
      return { status: 201, body: outcome!.ok };
    });
    if (!result.replayed) onCommit();
    else return { reservation: (await findReservation(db, result.body.id)) ?? result.body, replayed: true };
    return { reservation: result.body, replayed: false };
  };
  /**
   * A flight the catalog does not know may be one registered a moment ago whose FlightRegistered has
   * not arrived yet: the flight service is asked, its answer copied into the catalog, and the booking
   * placed again. A flight it does not know stays 422; a flight service that does not answer is a 503.
   */
  const placeKnowingFlight = async <T>(place: () => Promise<T>, flightId: number, reply: FastifyReply): Promise<T> => {
    try {
      return await place();
    } catch (err) {
      const directory = config.flightDirectory;
      if (!(err instanceof ReservationRejected && err.code === 'UNKNOWN_FLIGHT') || !directory) throw err;
      const flight = await directory.find(flightId).catch((lookup: unknown) => {
        if (!(lookup instanceof FlightDirectoryUnavailable)) throw lookup;
        reply.header('retry-after', String(FLIGHT_DIRECTORY_RETRY_AFTER_S));
        throw new HttpProblem(
          503,
          'Flight service unavailable',
          `flight ${flightId} is not in the local catalog and the flight service did not answer; try again shortly`,
          'flightId',
        );
      });
      if (!flight) throw err;
      await db.transaction((tx) => learnFlight(tx, flight));
      return place();
    }
  };

  app.post(
    '/reservations',
    {
      schema: {
        tags: ['reservations'],
        summary: 'Book seats: the reservation starts PENDING and the saga takes it to CONFIRMED or CANCELED',
        body: ReservationInput,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }),
        response: { 201: ReservationView, 400: Problem, 409: Problem, 422: Problem, 503: Problem },
      },
    },
    async (req, reply) => {
      const body = req.body as Static<typeof ReservationInput>;
      const now = clock();
      const reserveDate = body.reserveDate ?? now.toISOString().slice(0, 10);
      // the card becomes a token first: no table, event, log or idempotency record ever holds the number
      const payment = await paymentMethodOf(body, config.paymentMethods).catch((err) => {
        if (err instanceof HttpProblem && err.status === 503) reply.header('retry-after', String(TOKENISE_RETRY_AFTER_S));
        throw err;
      });
      if (body.passengers && body.passengers.length > body.seatQty)
        throw new HttpProblem(
          400,
          'Invalid request',
          `${body.passengers.length} passengers named for ${body.seatQty} seats: one passenger per seat`,
          'passengers',
        );
      const input = {
        customerId: body.customerId,
        flightId: body.flightId,
        seatQty: body.seatQty,
        reserveDate,
        passengers: body.passengers ?? [],
        ...payment,
      };
      // each booking of a group commit carries its own request's trace (tracing on only)
      const request: PlaceRequest = { ...input, now, causationId: req.id, traceparent: currentTraceparent() };
      const key = req.headers['idempotency-key'];
      const place = () =>
        drawingAgainIfTaken(async () =>
          key === undefined ? { reservation: await placeGrouped(request), replayed: false } : placeOnce(key, request, input),
        );
      const { reservation, replayed } = await placeKnowingFlight(place, request.flightId, reply).catch(toProblem);
      req.log = req.log.child({ correlationId: String(reservation.id) }); // its request line names the booking every event line names
      reply.status(201).header('location', `/reservations/${reservation.id}`);
      if (replayed) reply.header('idempotent-replayed', 'true');
      return view(reservation);
    },
  );

  app.get(
    '/reservations',
    {
      schema: {
        tags: ['reservations'],
        summary: 'Reservations, oldest first (filter by customer, flight, status; page with after=lastId, or with HAL page, size and sort)',
        querystring: ListQuery,
        response: {
          200: listOrHalPage(
            'The reservations (application/json), or a page of them (application/hal+json)',
            'reservations',
            ReservationView,
          ),
          400: Problem,
        },
      },
    },
    async (req, reply) => {
      const q = req.query;
      reply.header('vary', 'accept');
      if (!wantsHal(req.headers.accept))
        return (await listReservations(db, { ...q, limit: q.limit ?? 1000, afterId: q.after ?? 0 })).map(view);
      const sorting = sortingOf(q.sort, RESERVATION_SORTABLE, 'id');
      const size = q.size ?? DEFAULT_PAGE_SIZE;
      const pageNo = q.page ?? 0;
      const { items, total } = await reservationPage(db, q, {
        offset: pageNo * size,
        limit: size,
        sort: sorting.field,
        descending: sorting.descending,
      });
      const body = halPage({
        collection: 'reservations',
        items: items.map(view),
        totalElements: total,
        path: '/reservations',
        query: { customerId: q.customerId, flightId: q.flightId, status: q.status, sort: q.sort },
        page: pageNo,
        size,
        itemHref: (r) => `/reservations/${r.id}`,
      });
      return sendHal(reply as FastifyReply, body);
    },
  );

  app.get(
    '/reservations/limits',
    {
      schema: {
        tags: ['reservations'],
        summary: 'The booking limits in force (staff): seats per booking, per customer on a flight, the largest amount',
        response: { 200: BookingLimitsView },
      },
    },
    async () => ({ ...limits, maxAmount: MAX_AMOUNT }),
  );

  app.get(
    '/reservations/:id',
    {
      schema: {
        tags: ['reservations'],
        summary: 'A reservation: status and cancelReason',
        params: IdParams,
        response: {
          200: {
            description: 'The reservation (HAL with its self link when asked for)',
            content: { 'application/json': { schema: ReservationView }, [HAL_JSON]: { schema: ReservationView } },
          },
          404: Problem,
        },
      },
    },
    async (req, reply) => {
      const found = view((await findReservation(db, req.params.id)) ?? (await Promise.reject(notFound(`reservation ${req.params.id}`))));
      reply.header('vary', 'accept');
      if (wantsHal(req.headers.accept)) return sendHal(reply as FastifyReply, halItem(found, `/reservations/${found.id}`));
      return found;
    },
  );

  app.get(
    '/reservations/by-reference/:bookingReference',
    {
      schema: {
        tags: ['reservations'],
        summary: 'Find a reservation by its booking reference',
        params: Type.Object({ bookingReference: Type.String({ pattern: '^[A-Za-z0-9]{6}$' }) }),
        response: { 200: ReservationView, 404: Problem },
      },
    },
    async (req) =>
      view(
        (await findByReference(db, req.params.bookingReference)) ??
          (await Promise.reject(notFound(`booking ${req.params.bookingReference}`))),
      ),
  );

  /** One command on one reservation, in a unit of work flushed before COMMIT; a refusal is answered as a problem. */
  const command = async (id: number, run: (uow: UnitOfWork) => Promise<ReservationHandled>): Promise<Reservation> => {
    const handled = await db.transaction(async (tx) => {
      const uow = new UnitOfWork(tx);
      if (!(await findReservationForUpdate(uow, id))) throw notFound(`reservation ${id}`); // the command handler finds it here, no second read
      const handled = await run(uow);
      await uow.flush();
      return handled;
    });
    if ('refused' in handled) throw refusalProblem(handled.refused);
    if (handled.events.length > 0) onCommit();
    return handled.state!;
  };
  const cancel = (id: number, requestId: string) =>
    command(id, (uow) => execute(uow, id, customerCancelled(), emitFromRequest(uow.tx, requestId, clock)));
  const cancelSchema = {
    tags: ['reservations'],
    summary: 'Cancel (customer): seats go back, payment is refunded',
    params: IdParams,
    response: { 200: ReservationView, 404: Problem, 409: Problem },
  };
  app.post('/reservations/:id/cancel', { schema: cancelSchema }, async (req) => view(await cancel(req.params.id, req.id)));
  app.delete('/reservations/:id', { schema: cancelSchema }, async (req) => view(await cancel(req.params.id, req.id)));

  app.put(
    '/reservations/:id/passengers',
    {
      schema: {
        tags: ['reservations'],
        summary: 'Name (or rename) the passengers of a booking, one per seat in seat order; seats left out stay to be named',
        params: IdParams,
        body: Type.Object({ passengers: passengersInput(limits.maxSeatsPerBooking) }),
        response: { 200: ReservationView, 400: Problem, 404: Problem, 409: Problem },
      },
    },
    async (req) => {
      const { passengers } = req.body as { passengers: Array<{ givenName: string; familyName: string }> };
      const reservation = await command(req.params.id, (uow) =>
        execute(uow, req.params.id, { type: 'NamePassengers', passengers }, emitFromRequest(uow.tx, req.id, clock)),
      );
      return view(reservation);
    },
  );
}

/** A reservation as the API shows it: a passenger entry per seat, those not named yet to be named. */
export function view(r: Reservation) {
  const seats = Array.from({ length: r.seatQty }, (_, i) => {
    const p = r.passengers[i];
    return p
      ? { givenName: p.givenName, familyName: p.familyName, toBeNamed: false }
      : { givenName: null, familyName: null, toBeNamed: true };
  });
  return { ...r, passengers: seats };
}
