import { Type, type Static } from '@sinclair/typebox';
import { PaymentMethodFields } from './cards.js';
import { eventSchema } from './envelope.js';

const Id = Type.Integer({ minimum: 1 });
const Money = Type.Integer({
  minimum: 0,
  description: "minor units of the fare's currency (KRW has none, so whole won; USD cents); the seeds use KRW",
});
/** Added after v1: events without it are in the configured default currency (KRW for the seeds' fares). */
const Currency = Type.Optional(
  Type.String({
    pattern: '^[A-Z]{3}$',
    description:
      "ISO 4217 code of the amounts (optional: added after v1; absent, the system's configured default currency, KRW unless configured)",
  }),
);
const ScheduledTime = Type.Object(
  {
    local: Type.String({ description: 'YYYY-MM-DDThh:mm, the wall clock at the airport' }),
    timeZone: Type.String({ description: 'IANA time zone of the airport' }),
    utc: Type.String({ format: 'date-time', description: 'the same instant in UTC' }),
  },
  { title: 'ScheduledTime' },
);
/** The currency of amounts in an event that states none: events written before fares had one were the seeds' KRW. */
export const UNSTATED_CURRENCY = 'KRW';

/** A passenger on one seat of a booking. */
export const Passenger = Type.Object(
  {
    givenName: Type.String({ minLength: 1, maxLength: 64 }),
    familyName: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { title: 'Passenger' },
);
export type Passenger = Static<typeof Passenger>;
/** Added after v1: the named passengers, one per seat in seat order; seats beyond them are to be named. */
const Passengers = Type.Optional(
  Type.Array(Passenger, {
    description:
      'named passengers, one per seat in seat order (at most seatQty); the other seats are to be named (optional: added after v1; absent, none named)',
  }),
);

const Iata = Type.String({ pattern: '^[A-Z]{3}$', description: 'IATA airport code' });
/** The route fields of a scheduled flight (added after v1; a flight registered as the seeds do has none). */
const RouteFields = {
  origin: Type.Optional(Iata),
  destination: Type.Optional(Iata),
  departure: Type.Optional(ScheduledTime),
  arrival: Type.Optional(ScheduledTime),
  bookingClosesAt: Type.Optional(Type.String({ format: 'date-time', description: 'no booking is placed from then on (UTC)' })),
};
const SeatQty = Type.Integer({ minimum: 1 });
/** Carried by every event of a flight's own: the flight service numbers them under the flight's row lock. */
const FlightSeq = Type.Optional(
  Type.Integer({
    minimum: 1,
    description:
      "this event's place among its flight's events (FlightRegistered is 1, each later one the next): a reader orders one flight's events by it, whatever the clocks and the delivery order (optional: added after v1; events without it come before those with it, and among themselves by occurredAt)",
  }),
);

export const CancelReason = Type.Union([
  Type.Literal('SOLD_OUT'),
  Type.Literal('PAYMENT_DECLINED'),
  Type.Literal('PAYMENT_TIMEOUT'),
  Type.Literal('CUSTOMER'),
  Type.Literal('FLIGHT_CANCELLED'),
]);
export type CancelReason = Static<typeof CancelReason>;

export const SoldOutReason = Type.Union([Type.Literal('SOLD_OUT'), Type.Literal('FLIGHT_CANCELLED')]);

// ---- flight catalog (flight → reservation's local copy, dashboards) ----
export const FlightRegistered = eventSchema(
  'FlightRegistered',
  Type.Object({
    flightId: Id,
    flightCode: Type.String(),
    takeoffDate: Type.String(),
    cost: Money,
    currency: Currency,
    capacity: Type.Integer({ minimum: 0 }),
    remainingSeatsCount: Type.Integer({ minimum: 0 }),
    ...RouteFields,
    flightSeq: FlightSeq,
  }),
  'Staff registered a flight; consumers keep a local copy of the catalog from it. A scheduled flight also carries its route and times (optional fields added after v1).',
);
export const FlightCancelled = eventSchema(
  'FlightCancelled',
  Type.Object({ flightId: Id, flightCode: Type.String(), flightSeq: FlightSeq }),
  'Staff cancelled a flight; every active reservation on it is cancelled with reason FLIGHT_CANCELLED.',
);

// ---- the booking saga, in the order it runs ----
export const ReservationPlaced = eventSchema(
  'ReservationPlaced',
  Type.Object({
    reservationId: Id,
    bookingReference: Type.String({ minLength: 6, maxLength: 6 }),
    customerId: Id,
    flightId: Id,
    seatQty: SeatQty,
    amount: Money,
    currency: Currency,
    reserveDate: Type.String(),
    ...PaymentMethodFields,
    holdExpiresAt: Type.String({ format: 'date-time' }),
    passengers: Passengers,
  }),
  'Step 1: a customer placed a reservation; it is PENDING until seats are held and paid.',
);
export const SeatsReserved = eventSchema(
  'SeatsReserved',
  Type.Object({
    reservationId: Id,
    customerId: Id,
    flightId: Id,
    seatQty: SeatQty,
    amount: Money,
    currency: Currency,
    ...PaymentMethodFields,
    remainingSeatsCount: Type.Integer({ minimum: 0 }),
    holdExpiresAt: Type.Optional(
      Type.String({
        format: 'date-time',
        description:
          'the hold ends then: payment never charges after it (optional: added after v1, consumers treat absence as no deadline)',
      }),
    ),
    flightSeq: FlightSeq,
  }),
  'Step 2: the flight held the seats (remaining seats decremented); payment may charge until holdExpiresAt.',
);
export const SeatsSoldOut = eventSchema(
  'SeatsSoldOut',
  Type.Object({
    reservationId: Id,
    flightId: Id,
    seatQty: SeatQty,
    remainingSeatsCount: Type.Integer({ minimum: 0 }),
    reason: SoldOutReason,
    flightSeq: FlightSeq,
  }),
  'Step 2 (failure): not enough seats, or the flight is cancelled; the reservation is cancelled.',
);
export const PaymentApproved = eventSchema(
  'PaymentApproved',
  Type.Object({
    reservationId: Id,
    paymentId: Id,
    amount: Money,
    authorizationCode: Type.String(),
  }),
  'Step 4: the processor approved the charge.',
);
export const PaymentDeclined = eventSchema(
  'PaymentDeclined',
  Type.Object({
    reservationId: Id,
    paymentId: Id,
    amount: Money,
    reason: Type.String({ description: 'processor decline code, e.g. card_declined, insufficient_funds' }),
  }),
  'Step 4 (failure): the processor declined the charge; the reservation is cancelled and the seats released.',
);
/** What a reservation's status events say of it (the read side and mileage need no other look-up). */
const reservationSummary = {
  reservationId: Id,
  bookingReference: Type.String(),
  customerId: Id,
  flightId: Id,
  seatQty: SeatQty,
  amount: Money,
  currency: Currency,
  reserveDate: Type.String(),
  passengers: Passengers,
};
export const ReservationConfirmed = eventSchema(
  'ReservationConfirmed',
  Type.Object({ ...reservationSummary }),
  'Step 5: paid and held; the booking is final.',
);
export const ReservationCancelled = eventSchema(
  'ReservationCancelled',
  Type.Object({
    ...reservationSummary,
    reason: CancelReason,
    previousStatus: Type.Union([Type.Literal('PENDING'), Type.Literal('CONFIRMED')]),
  }),
  'Compensation: the reservation is CANCELED; held seats are released and any payment refunded.',
);
export const PassengersNamed = eventSchema(
  'PassengersNamed',
  Type.Object({
    reservationId: Id,
    bookingReference: Type.String(),
    customerId: Id,
    flightId: Id,
    seatQty: SeatQty,
    passengers: Type.Array(Passenger, {
      description: 'the named passengers now, one per seat in seat order; the other seats are to be named',
    }),
  }),
  'The customer named (or renamed) the passengers of a booking after placing it (added after v1).',
);
export const SeatsReleased = eventSchema(
  'SeatsReleased',
  Type.Object({
    reservationId: Id,
    flightId: Id,
    seatQty: SeatQty,
    remainingSeatsCount: Type.Integer({ minimum: 0 }),
    flightSeq: FlightSeq,
  }),
  'Compensation: held or sold seats went back to the flight.',
);
export const PaymentRefunded = eventSchema(
  'PaymentRefunded',
  Type.Object({ reservationId: Id, paymentId: Id, amount: Money }),
  'Compensation: an approved payment was refunded.',
);

/** Every integration event, in saga order; the AsyncAPI document and the validators come from this list. */
export const eventSchemas = [
  FlightRegistered,
  FlightCancelled,
  ReservationPlaced,
  SeatsReserved,
  SeatsSoldOut,
  PaymentApproved,
  PaymentDeclined,
  ReservationConfirmed,
  ReservationCancelled,
  SeatsReleased,
  PaymentRefunded,
  PassengersNamed,
] as const;

export type FlightRegistered = Static<typeof FlightRegistered>;
export type FlightCancelled = Static<typeof FlightCancelled>;
export type ReservationPlaced = Static<typeof ReservationPlaced>;
export type SeatsReserved = Static<typeof SeatsReserved>;
export type SeatsSoldOut = Static<typeof SeatsSoldOut>;
export type PaymentApproved = Static<typeof PaymentApproved>;
export type PaymentDeclined = Static<typeof PaymentDeclined>;
export type ReservationConfirmed = Static<typeof ReservationConfirmed>;
export type ReservationCancelled = Static<typeof ReservationCancelled>;
export type SeatsReleased = Static<typeof SeatsReleased>;
export type PaymentRefunded = Static<typeof PaymentRefunded>;
export type PassengersNamed = Static<typeof PassengersNamed>;

export type IntegrationEvent = Static<(typeof eventSchemas)[number]>;
export type EventType = IntegrationEvent['type'];
export type EventOfType<T extends EventType> = Extract<IntegrationEvent, { type: T }>;
export type EventData<T extends EventType> = EventOfType<T>['data'];
export const eventTypes = eventSchemas.map((s) => s.properties.type.const) as EventType[];
