import { describe, expect, it } from 'vitest';
import { decideSpec } from '@airline/testing';
import {
  decide,
  defaultBookingLimits,
  evolve,
  bookingReference,
  MAX_AMOUNT,
  ReservationRejected,
  type Reservation,
  type ReservationCommand,
} from '../src/reservation.js';
import { customerCancelled, flightCancelled, holdExpired, sagaReaction } from '../src/booking-saga.js';
import { bookingLimits } from '../src/routes.js';
import { bookingLimitsFromEnv } from '../src/index.js';

const spec = decideSpec(decide);
/** The events decide answers (a refusal fails the spec). */
const eventsOf = (state: Reservation | undefined, command: ReservationCommand) => {
  const decision = decide(command, state);
  if (!Array.isArray(decision)) throw decision.refused;
  return decision;
};
const flight = { flightId: 1, cost: 200_000, status: 'SCHEDULED' as const };
const place: Extract<ReservationCommand, { type: 'PlaceReservation' }> = {
  type: 'PlaceReservation',
  reservationId: 7,
  bookingReference: 'ABC234',
  customerId: 1,
  flightId: 1,
  flight,
  seatQty: 3,
  reserveDate: '2024-11-21',
  passengers: [],
  paymentMethod: 'pm_card_visa',
  cardLast4: '4242',
  cardBrand: 'visa',
  holdExpiresAt: '2026-01-01T00:15:00.000Z',
  now: new Date('2026-01-01T00:00:00.000Z'),
  heldSeats: 0,
  limits: defaultBookingLimits,
};
const pending: Reservation = {
  id: 7,
  bookingReference: 'ABC234',
  customerId: 1,
  flightId: 1,
  seatQty: 3,
  amount: 600_000,
  currency: 'KRW',
  reserveDate: '2024-11-21',
  cardLast4: '4242',
  passengers: [],
  status: 'PENDING',
  cancelReason: null,
  holdExpiresAt: '2026-01-01T00:15:00.000Z',
};
const confirmed: Reservation = { ...pending, status: 'CONFIRMED' };
const cancelled = (reason: Reservation['cancelReason']): Reservation => ({ ...pending, status: 'CANCELED', cancelReason: reason });
const summary = {
  reservationId: 7,
  bookingReference: 'ABC234',
  customerId: 1,
  flightId: 1,
  seatQty: 3,
  amount: 600_000,
  currency: 'KRW',
  reserveDate: '2024-11-21',
};

describe('placing a reservation (saga step 1)', () => {
  it('charges the catalog fare per seat and starts PENDING', () =>
    spec
      .given(undefined as never)
      .when(place)
      .then([
        {
          type: 'ReservationPlaced',
          data: {
            ...summary,
            paymentMethod: 'pm_card_visa',
            cardLast4: '4242',
            cardBrand: 'visa',
            holdExpiresAt: '2026-01-01T00:15:00.000Z',
          },
        },
      ]));
  it('evolves into a PENDING reservation that keeps only the last four card digits', () => {
    const state = eventsOf(undefined, place).reduce<Reservation | undefined>(evolve, undefined);
    expect(state).toEqual(pending);
  });
  it('is refused for a flight the catalog does not know, naming flightId', () =>
    spec
      .given(undefined as never)
      .when({ ...place, flight: undefined })
      .thenRejected((e) => e instanceof ReservationRejected && e.code === 'UNKNOWN_FLIGHT' && e.field === 'flightId'));
  it('is refused for a cancelled flight', () =>
    spec
      .given(undefined as never)
      .when({ ...place, flight: { ...flight, status: 'CANCELLED' } })
      .thenRejected(/cancelled/));

  const refusedFor = (code: ReservationRejected['code'], details: Record<string, unknown>) => (e: unknown) =>
    e instanceof ReservationRejected &&
    e.code === code &&
    e.field === 'seatQty' &&
    Object.entries(details).every(([k, v]) => e.details[k] === v);
  it('is refused once booking has closed before departure, naming flightId and when it closed', () => {
    const closing = { ...flight, bookingClosesAt: '2026-01-01T00:00:00.000Z' };
    expect(eventsOf(undefined, { ...place, flight: closing, now: new Date('2025-12-31T23:59:59.999Z') }).map((e) => e.type)).toEqual([
      'ReservationPlaced',
    ]);
    spec
      .given(undefined as never)
      .when({ ...place, flight: closing, now: new Date('2026-01-01T00:00:00.000Z') })
      .thenRejected(
        (e) =>
          e instanceof ReservationRejected &&
          e.code === 'BOOKING_CLOSED' &&
          e.field === 'flightId' &&
          e.details.bookingClosesAt === closing.bookingClosesAt,
      );
  });
  it('takes at most maxSeatsPerBooking seats (9 by default, as airlines do)', () => {
    spec
      .given(undefined as never)
      .when({ ...place, seatQty: 9 })
      .then((events) => expect(events).toHaveLength(1));
    spec
      .given(undefined as never)
      .when({ ...place, seatQty: 10 })
      .thenRejected(refusedFor('SEAT_LIMIT', { limit: 9 }));
    spec
      .given(undefined as never)
      .when({ ...place, seatQty: 10, limits: { ...defaultBookingLimits, maxSeatsPerBooking: 12 } })
      .then((events) => expect(events).toHaveLength(1));
  });
  it('lets one customer hold at most maxSeatsPerCustomerOnFlight seats on a flight, naming the limit and what is held', () => {
    spec
      .given(undefined as never)
      .when({ ...place, seatQty: 3, heldSeats: 15 })
      .then((events) => expect(events).toHaveLength(1));
    spec
      .given(undefined as never)
      .when({ ...place, seatQty: 4, heldSeats: 15 })
      .thenRejected(refusedFor('CUSTOMER_SEAT_LIMIT', { limit: 18, heldSeats: 15 }));
    spec
      .given(undefined as never)
      .when({ ...place, seatQty: 1, heldSeats: 18 })
      .thenRejected(/holds at most 18 seats/);
  });
  it('is refused when cost × seatQty would not fit the amount (32-bit), instead of overflowing', () => {
    const dear = { ...flight, cost: 100_000_000 };
    const limits = { maxSeatsPerBooking: 100, maxSeatsPerCustomerOnFlight: 100 };
    spec
      .given(undefined as never)
      .when({ ...place, flight: dear, seatQty: 21, limits })
      .then((events) => expect(events[0]!.data).toMatchObject({ amount: 2_100_000_000 }));
    spec
      .given(undefined as never)
      .when({ ...place, flight: dear, seatQty: 22, limits })
      .thenRejected(refusedFor('AMOUNT_TOO_LARGE', { limit: MAX_AMOUNT }));
  });
});

describe('confirming (saga step 5)', () => {
  it('confirms a PENDING reservation', () =>
    spec
      .given(pending)
      .when({ type: 'ConfirmReservation' })
      .then([{ type: 'ReservationConfirmed', data: summary }]));
  it('does nothing to a reservation cancelled meanwhile (payment refunds it)', () =>
    spec.given(cancelled('PAYMENT_TIMEOUT')).when({ type: 'ConfirmReservation' }).thenNothingHappened());
  it('does nothing twice', () => spec.given(confirmed).when({ type: 'ConfirmReservation' }).thenNothingHappened());
});

describe('cancelling (compensation)', () => {
  it.each(['SOLD_OUT', 'PAYMENT_DECLINED', 'PAYMENT_TIMEOUT', 'CUSTOMER', 'FLIGHT_CANCELLED'] as const)(
    'cancels a PENDING reservation for %s',
    (reason) =>
      spec
        .given(pending)
        .when({ type: 'CancelReservation', reason })
        .then([{ type: 'ReservationCancelled', data: { ...summary, reason, previousStatus: 'PENDING' } }]),
  );
  it.each(['CUSTOMER', 'FLIGHT_CANCELLED'] as const)('cancels a CONFIRMED reservation for %s (refund and miles follow)', (reason) =>
    spec
      .given(confirmed)
      .when({ type: 'CancelReservation', reason })
      .then([{ type: 'ReservationCancelled', data: { ...summary, reason, previousStatus: 'CONFIRMED' } }]),
  );
  it.each(['SOLD_OUT', 'PAYMENT_DECLINED', 'PAYMENT_TIMEOUT'] as const)('ignores a stale %s for a CONFIRMED reservation', (reason) =>
    spec.given(confirmed).when({ type: 'CancelReservation', reason }).thenNothingHappened(),
  );
  it('tells a customer that an already cancelled reservation is cancelled', () =>
    spec
      .given(cancelled('SOLD_OUT'))
      .when(customerCancelled())
      .thenRejected((e) => e instanceof ReservationRejected && e.code === 'ALREADY_CANCELLED'));
  it('ignores a second saga cancel', () => spec.given(cancelled('SOLD_OUT')).when(flightCancelled()).thenNothingHappened());
  it('records the reason', () => {
    const events = eventsOf(pending, holdExpired());
    expect(events.reduce(evolve, pending)).toMatchObject({ status: 'CANCELED', cancelReason: 'PAYMENT_TIMEOUT' });
  });
});

describe('the booking saga, as the reservation service reacts', () => {
  const meta = {
    eventId: '00000000-0000-4000-8000-000000000001',
    version: 1 as const,
    occurredAt: '2026-01-01T00:00:00.000Z',
    correlationId: '7',
    causationId: null,
  };
  it("SeatsSoldOut → cancel with the flight's reason", () => {
    expect(
      sagaReaction({
        ...meta,
        type: 'SeatsSoldOut',
        data: { reservationId: 7, flightId: 1, seatQty: 3, remainingSeatsCount: 2, reason: 'SOLD_OUT' },
      }),
    ).toEqual({
      reservationId: 7,
      command: { type: 'CancelReservation', reason: 'SOLD_OUT' },
    });
  });
  it('PaymentApproved → confirm', () => {
    expect(
      sagaReaction({ ...meta, type: 'PaymentApproved', data: { reservationId: 7, paymentId: 1, amount: 1, authorizationCode: 'X' } }),
    ).toEqual({ reservationId: 7, command: { type: 'ConfirmReservation' } });
  });
  it('PaymentDeclined → cancel PAYMENT_DECLINED', () => {
    expect(
      sagaReaction({ ...meta, type: 'PaymentDeclined', data: { reservationId: 7, paymentId: 1, amount: 1, reason: 'card_declined' } }),
    ).toEqual({
      reservationId: 7,
      command: { type: 'CancelReservation', reason: 'PAYMENT_DECLINED' },
    });
  });
  it('other events cause nothing here', () => {
    expect(
      sagaReaction({ ...meta, type: 'SeatsReleased', data: { reservationId: 7, flightId: 1, seatQty: 3, remainingSeatsCount: 5 } }),
    ).toBeNull();
  });
});

describe('booking reference', () => {
  it('is 6 characters without look-alikes', () => {
    expect(bookingReference(new Uint8Array([0, 1, 2, 30, 31, 255]))).toBe('ABC899');
    expect(bookingReference(new Uint8Array(6).fill(200))).toMatch(/^[A-HJ-NP-Z2-9]{6}$/);
  });
});

describe('booking limits an operator sets', () => {
  it('come from MAX_SEATS_PER_BOOKING and MAX_SEATS_PER_CUSTOMER_ON_FLIGHT; unset keeps the defaults', () => {
    expect(bookingLimitsFromEnv({})).toEqual({});
    expect(bookingLimits(bookingLimitsFromEnv({ MAX_SEATS_PER_BOOKING: '4', MAX_SEATS_PER_CUSTOMER_ON_FLIGHT: '8' }))).toEqual({
      maxSeatsPerBooking: 4,
      maxSeatsPerCustomerOnFlight: 8,
    });
    expect(bookingLimits(bookingLimitsFromEnv({ MAX_SEATS_PER_BOOKING: '' }))).toEqual(defaultBookingLimits);
  });

  it('refuse a value that is not a whole number of seats, or a customer limit below the booking limit', () => {
    for (const bad of ['0', '-1', '2.5', 'nine'])
      expect(() => bookingLimitsFromEnv({ MAX_SEATS_PER_BOOKING: bad })).toThrow(/MAX_SEATS_PER_BOOKING/);
    expect(() => bookingLimits(bookingLimitsFromEnv({ MAX_SEATS_PER_BOOKING: '9', MAX_SEATS_PER_CUSTOMER_ON_FLIGHT: '4' }))).toThrow(
      /maxSeatsPerCustomerOnFlight/,
    );
  });
});

describe('passengers (issue 14)', () => {
  const minji = { givenName: 'Minji', familyName: 'Kim' };
  const jisoo = { givenName: 'Jisoo', familyName: 'Park' };
  it('a booking names one passenger per seat, in its currency; the seats without one are to be named', () => {
    const [placedEvent] = eventsOf(undefined, { ...place, flight: { ...flight, currency: 'USD' }, passengers: [minji, jisoo] });
    expect(placedEvent).toMatchObject({ type: 'ReservationPlaced', data: { passengers: [minji, jisoo], currency: 'USD', seatQty: 3 } });
    expect(evolve(undefined, placedEvent!)).toMatchObject({ passengers: [minji, jisoo], currency: 'USD' });
  });
  it('a seat count alone (the seeds) names nobody, and the fare is KRW when the flight states no currency', () => {
    const [placedEvent] = eventsOf(undefined, place);
    expect(placedEvent!.data).not.toHaveProperty('passengers');
    expect(evolve(undefined, placedEvent!)).toMatchObject({ passengers: [], currency: 'KRW' });
  });
  it('more passengers than seats is refused, naming passengers', () =>
    spec
      .given(undefined as never)
      .when({ ...place, passengers: [minji, jisoo, minji, jisoo] })
      .thenRejected((e) => e instanceof ReservationRejected && e.code === 'TOO_MANY_PASSENGERS' && e.field === 'passengers'));
  it('passengers can be named later, and the confirmation and cancellation carry them', () => {
    spec
      .given(pending)
      .when({ type: 'NamePassengers', passengers: [minji] })
      .then([
        {
          type: 'PassengersNamed',
          data: { reservationId: 7, bookingReference: 'ABC234', customerId: 1, flightId: 1, seatQty: 3, passengers: [minji] },
        },
      ]);
    const named = { ...pending, passengers: [minji] };
    spec
      .given(named)
      .when({ type: 'ConfirmReservation' })
      .then([{ type: 'ReservationConfirmed', data: { ...summary, passengers: [minji] } }]);
  });
  it('naming the same passengers again changes nothing; a cancelled booking cannot be named', () => {
    spec
      .given({ ...pending, passengers: [minji] })
      .when({ type: 'NamePassengers', passengers: [minji] })
      .thenNothingHappened();
    spec
      .given(cancelled('CUSTOMER'))
      .when({ type: 'NamePassengers', passengers: [minji] })
      .thenRejected((e) => e instanceof ReservationRejected && e.code === 'ALREADY_CANCELLED');
    spec
      .given(pending)
      .when({ type: 'NamePassengers', passengers: [minji, minji, minji, minji] })
      .thenRejected((e) => e instanceof ReservationRejected && e.field === 'passengers');
  });
});
