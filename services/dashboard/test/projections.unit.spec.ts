import { describe as spec, expect, it } from 'vitest';
import {
  envelope,
  eventRoutes,
  type IntegrationEvent,
  type ReservationCancelled,
  type ReservationConfirmed,
  type ReservationPlaced,
  type SeatsReleased,
  type SeatsReserved,
  type SeatsSoldOut,
} from '@airline/contracts';
import {
  customerInfoChange,
  describe,
  evolveSeatHold,
  evolveSummary,
  flightBoardChange,
  historyEntry,
  isNoChange,
  remainingSeats,
  sagaStepRank,
  type ReservationSummary,
} from '../src/projections.js';
import { dashboardEventTypes } from '../src/projector.js';

let n = 0;
const meta = () => ({
  eventId: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
  occurredAt: '2026-01-01T00:00:00.000Z',
  correlationId: '7',
  causationId: null,
});
const summary = {
  reservationId: 7,
  bookingReference: 'ABC234',
  customerId: 3,
  flightId: 1,
  seatQty: 2,
  amount: 400,
  reserveDate: '2024-11-21',
};
const placed = envelope(
  {
    type: 'ReservationPlaced',
    data: { ...summary, paymentMethod: 'pm_card_visa', cardLast4: '4242', cardBrand: 'visa', holdExpiresAt: '2026-01-01T00:15:00.000Z' },
  },
  meta(),
) as ReservationPlaced;
const confirmed = envelope({ type: 'ReservationConfirmed', data: summary }, meta()) as ReservationConfirmed;
const cancelled = envelope(
  { type: 'ReservationCancelled', data: { ...summary, reason: 'CUSTOMER', previousStatus: 'CONFIRMED' } },
  meta(),
) as ReservationCancelled;
const reserved = envelope(
  {
    type: 'SeatsReserved',
    data: {
      reservationId: 7,
      customerId: 3,
      flightId: 1,
      seatQty: 2,
      amount: 400,
      paymentMethod: 'pm_card_visa',
      cardLast4: '4242',
      cardBrand: 'visa',
      remainingSeatsCount: 3,
    },
  },
  meta(),
) as SeatsReserved;
const released = envelope(
  { type: 'SeatsReleased', data: { reservationId: 7, flightId: 1, seatQty: 2, remainingSeatsCount: 5 } },
  meta(),
) as SeatsReleased;
const soldOut = envelope(
  { type: 'SeatsSoldOut', data: { reservationId: 8, flightId: 1, seatQty: 9, remainingSeatsCount: 3, reason: 'SOLD_OUT' } },
  meta(),
) as SeatsSoldOut;

const pending: ReservationSummary = { ...summary, currency: 'KRW', status: 'PENDING', cancelReason: null };

spec('a reservation summary (the source of customerInfos)', () => {
  it('starts PENDING when the booking is placed', () => expect(evolveSummary(undefined, placed)).toEqual(pending));
  it('moves forward: PENDING → CONFIRMED → CANCELED with its reason', () => {
    const c = evolveSummary(pending, confirmed);
    expect(c.status).toBe('CONFIRMED');
    expect(evolveSummary(c, cancelled)).toEqual({ ...pending, status: 'CANCELED', cancelReason: 'CUSTOMER' });
  });
  it('never moves back: a late placement or confirmation leaves a cancelled booking cancelled', () => {
    const gone = evolveSummary(undefined, cancelled);
    expect(evolveSummary(gone, confirmed)).toBe(gone);
    expect(evolveSummary(gone, placed)).toBe(gone);
  });
  it('is created by whichever of its events comes first, with the same fields', () =>
    expect(evolveSummary(undefined, confirmed)).toEqual({ ...pending, status: 'CONFIRMED' }));
});

spec('what a reservation adds to its customer (customerInfos)', () => {
  it('a new booking: one more placed (flightCount) and its date', () =>
    expect(customerInfoChange(undefined, pending)).toEqual({
      customerId: 3,
      flightCount: 1,
      confirmedCount: 0,
      cancelledCount: 0,
      reserveDate: '2024-11-21',
    }));
  it('a confirmation: one more confirmed', () =>
    expect(customerInfoChange(pending, { ...pending, status: 'CONFIRMED' })).toEqual({
      customerId: 3,
      flightCount: 0,
      confirmedCount: 1,
      cancelledCount: 0,
      reserveDate: null,
    }));
  it('a confirmed booking cancelled: one fewer confirmed, one more cancelled', () =>
    expect(customerInfoChange({ ...pending, status: 'CONFIRMED' }, { ...pending, status: 'CANCELED' })).toMatchObject({
      confirmedCount: -1,
      cancelledCount: 1,
      flightCount: 0,
    }));
  it('a booking first seen cancelled: placed and cancelled at once', () =>
    expect(customerInfoChange(undefined, { ...pending, status: 'CANCELED' })).toMatchObject({
      flightCount: 1,
      confirmedCount: 0,
      cancelledCount: 1,
    }));
  it('nothing when nothing changed (a redelivery)', () => expect(isNoChange(customerInfoChange(pending, pending))).toBe(true));
});

spec('seats on the flight board', () => {
  it('a hold takes its seats; its release gives them back', () => {
    const held = evolveSeatHold(undefined, reserved);
    expect(flightBoardChange(undefined, held)).toEqual({ seatsTaken: 2, soldOutCount: 0 });
    expect(flightBoardChange(held, evolveSeatHold(held, released))).toEqual({ seatsTaken: -2, soldOutCount: 0 });
  });
  it('a release seen before its hold: the hold then takes nothing', () => {
    const gone = evolveSeatHold(undefined, released);
    expect(flightBoardChange(undefined, gone)).toEqual({ seatsTaken: 0, soldOutCount: 0 });
    expect(flightBoardChange(gone, evolveSeatHold(gone, reserved))).toEqual({ seatsTaken: 0, soldOutCount: 0 });
  });
  it('a hold seen twice takes its seats once', () => {
    const held = evolveSeatHold(undefined, reserved);
    expect(flightBoardChange(held, evolveSeatHold(held, reserved))).toEqual({ seatsTaken: 0, soldOutCount: 0 });
  });
  it('a sold-out answer counts once', () => {
    const s = evolveSeatHold(undefined, soldOut);
    expect(flightBoardChange(undefined, s)).toEqual({ seatsTaken: 0, soldOutCount: 1 });
    expect(flightBoardChange(s, evolveSeatHold(s, soldOut)).soldOutCount).toBe(0);
  });
  it('remaining seats are those on sale at registration minus those taken; unknown before the registration', () => {
    expect(remainingSeats(5, 3)).toBe(2);
    expect(remainingSeats(null, 3)).toBeNull();
  });
});

spec('reservation history', () => {
  it('a line per event, in plain words, with the customer from the event', () =>
    expect(historyEntry(reserved, null)).toEqual({
      eventId: reserved.eventId,
      reservationId: 7,
      customerId: 3,
      type: 'SeatsReserved',
      occurredAt: reserved.occurredAt,
      summary: '2 seats held for reservation 7 (3 left)',
      data: reserved.data,
    }));
  it('takes the customer the dashboard knows for events that do not name one, else leaves it open', () => {
    expect(historyEntry(released, 3).customerId).toBe(3);
    expect(historyEntry(released, null).customerId).toBeNull();
  });
  it('orders equal timestamps the way the saga runs', () => {
    const order = ['ReservationConfirmed', 'PaymentApproved', 'SeatsReserved', 'ReservationPlaced'].sort(
      (a, b) => sagaStepRank(a) - sagaStepRank(b),
    );
    expect(order).toEqual(['ReservationPlaced', 'SeatsReserved', 'PaymentApproved', 'ReservationConfirmed']);
  });
  it('describes every event type', () => {
    const flight = envelope({ type: 'FlightCancelled', data: { flightId: 1, flightCode: 'ACE890' } }, meta()) as IntegrationEvent;
    expect(describe(flight)).toBe('flight ACE890 cancelled by the airline');
    expect(describe(cancelled)).toBe('booking ABC234 cancelled (CUSTOMER)');
    expect(describe(soldOut)).toBe('sold out: 9 seats asked for reservation 8, 3 left');
  });
});

spec('the AsyncAPI routing table', () => {
  it('lists the dashboard as a consumer of exactly the events it reads', () => {
    const listed = Object.entries(eventRoutes)
      .filter(([, r]) => r.consumers.includes('dashboard'))
      .map(([t]) => t);
    expect(listed.sort()).toEqual([...dashboardEventTypes].sort());
  });
});

spec('money and passengers in the history (issue 14)', () => {
  it('writes amounts in the event’s currency, else the reservation’s, with Intl (₩400, US$4.00)', () => {
    expect(describe(placed)).toBe('booking ABC234 placed: 2 seats on flight 1 for ₩400');
    const usd = envelope({ type: 'ReservationPlaced', data: { ...placed.data, currency: 'USD' } }, meta()) as ReservationPlaced;
    expect(describe(usd)).toBe('booking ABC234 placed: 2 seats on flight 1 for US$4.00');
    const approved = envelope(
      { type: 'PaymentApproved', data: { reservationId: 7, paymentId: 1, amount: 129_900, authorizationCode: 'A1' } },
      meta(),
    ) as IntegrationEvent;
    expect(describe(approved, 'USD')).toBe('payment of US$1,299.00 approved');
    expect(evolveSummary(undefined, usd).currency).toBe('USD');
  });
  it('names the passengers named later', () => {
    const named = envelope(
      {
        type: 'PassengersNamed',
        data: {
          reservationId: 7,
          bookingReference: 'ABC234',
          customerId: 3,
          flightId: 1,
          seatQty: 3,
          passengers: [{ givenName: 'Minji', familyName: 'Kim' }],
        },
      },
      meta(),
    ) as IntegrationEvent;
    expect(describe(named)).toBe('booking ABC234: passengers named (Minji Kim; 2 to be named)');
  });
});
