import { describe, expect, it } from 'vitest';
import {
  envelope,
  eventRoutes,
  type CancelReason,
  type ReservationCancelled,
  type ReservationConfirmed,
  type ReservationPlaced,
} from '@airline/contracts';
import { advanceFeedCursor } from '../src/feed.js';
import { afterWebhookAttempt, isRetryableStatus, notificationFor, reasonInWords } from '../src/notification.js';
import { notificationHandlers } from '../src/handlers.js';

const summary = {
  reservationId: 7,
  bookingReference: 'ABC234',
  customerId: 3,
  flightId: 1,
  seatQty: 3,
  amount: 600_000,
  reserveDate: '2024-11-21',
};
const meta = {
  eventId: '00000000-0000-4000-8000-000000000001',
  occurredAt: '2026-01-01T00:00:01.000Z',
  correlationId: '7',
  causationId: null,
};
const flight = { flightCode: 'ACE890', takeoffDate: '2025-12-25' };
const placed = envelope(
  {
    type: 'ReservationPlaced',
    data: { ...summary, paymentMethod: 'pm_card_visa', cardLast4: '4242', cardBrand: 'visa', holdExpiresAt: '2026-01-01T00:15:00.000Z' },
  },
  meta,
) as ReservationPlaced;
const confirmed = envelope({ type: 'ReservationConfirmed', data: summary }, meta) as ReservationConfirmed;
const cancelled = (reason: CancelReason, previousStatus: 'PENDING' | 'CONFIRMED') =>
  envelope({ type: 'ReservationCancelled', data: { ...summary, reason, previousStatus } }, meta) as ReservationCancelled;

describe('the notification of a reservation status change', () => {
  it('tells the customer their booking was received, naming the flight', () =>
    expect(notificationFor(placed, flight)).toEqual({
      customerId: 3,
      reservationId: 7,
      bookingReference: 'ABC234',
      kind: 'RESERVATION_PLACED',
      reason: null,
      title: 'Booking received',
      message:
        'We received your booking ABC234 for 3 seats on flight ACE890 on 25 Dec 2025. We are holding the seats and taking the payment of ₩600,000. Passengers: 3 to be named.',
      eventId: meta.eventId,
      occurredAt: meta.occurredAt,
    }));

  it('tells them it is confirmed', () =>
    expect(notificationFor(confirmed, flight)).toMatchObject({
      kind: 'RESERVATION_CONFIRMED',
      title: 'Booking confirmed',
      message: expect.stringContaining('is confirmed'),
    }));

  it('names a flight it does not know yet by its id', () =>
    expect(notificationFor(confirmed, undefined).message).toContain('on flight 1 is confirmed'));

  it.each([
    ['SOLD_OUT', 'there were not enough seats left on the flight'],
    ['PAYMENT_DECLINED', 'your card payment was declined'],
    ['PAYMENT_TIMEOUT', 'the payment was not completed in time'],
  ] as const)('says in plain words why a booking was cancelled (%s), and that nothing is charged', (reason, words) => {
    const n = notificationFor(cancelled(reason, 'PENDING'), flight);
    expect(n).toMatchObject({ kind: 'RESERVATION_CANCELLED', reason, title: 'Booking cancelled' });
    expect(n.message).toContain(`was cancelled because ${words}`);
    expect(n.message).toContain('You will not be charged.');
  });

  it('tells a customer who cancelled a paid booking that the payment is refunded', () =>
    expect(notificationFor(cancelled('CUSTOMER', 'CONFIRMED'), flight).message).toBe(
      'Your booking ABC234 for 3 seats on flight ACE890 on 25 Dec 2025 was cancelled because you cancelled it. Your payment of ₩600,000 will be refunded. Passengers: 3 to be named.',
    ));

  it('writes money in its currency and names the passengers, those still to be named too (issue 14)', () => {
    const named = envelope(
      {
        type: 'ReservationConfirmed',
        data: {
          ...summary,
          amount: 259_800,
          currency: 'USD',
          passengers: [
            { givenName: 'Minji', familyName: 'Kim' },
            { givenName: 'Jisoo', familyName: 'Park' },
          ],
        },
      },
      meta,
    ) as ReservationConfirmed;
    expect(notificationFor(named, { flightCode: 'KE081', takeoffDate: '2027-01-10' }).message).toBe(
      'Your booking ABC234 for 3 seats on flight KE081 on 10 Jan 2027 is confirmed. You paid US$2,598.00. Passengers: Minji Kim, Jisoo Park and 1 to be named.',
    );
  });

  it('tells the customers of a cancelled flight, as a flight cancellation', () =>
    expect(notificationFor(cancelled('FLIGHT_CANCELLED', 'CONFIRMED'), { flightCode: 'ACE890', takeoffDate: '' })).toMatchObject({
      kind: 'FLIGHT_CANCELLED',
      reason: 'FLIGHT_CANCELLED',
      title: 'Flight cancelled',
      message:
        'The airline cancelled flight ACE890. Your booking ABC234 is cancelled. Your payment of ₩600,000 will be refunded. Passengers: 3 to be named.',
    }));

  it('has words for every cancel reason', () => {
    for (const r of ['SOLD_OUT', 'PAYMENT_DECLINED', 'PAYMENT_TIMEOUT', 'CUSTOMER', 'FLIGHT_CANCELLED'] as const)
      expect(reasonInWords(r)).not.toMatch(/_/);
  });
});

describe('a webhook delivery attempt', () => {
  const now = new Date('2026-01-01T00:00:00.000Z');
  const backoff = (attempt: number) => 1000 * 2 ** (attempt - 1);
  it('is done when the receiver accepted it', () =>
    expect(afterWebhookAttempt({ outcome: 'delivered', status: 204 }, 1, 5, now, backoff)).toEqual({
      status: 'DELIVERED',
      nextAttemptAt: null,
      lastError: null,
    }));
  it('is tried again after a backoff that grows with the attempts', () => {
    const failed = { outcome: 'failed', error: 'receiver answered 503', retryable: true } as const;
    expect(afterWebhookAttempt(failed, 1, 5, now, backoff)).toEqual({
      status: 'PENDING',
      nextAttemptAt: new Date('2026-01-01T00:00:01.000Z'),
      lastError: 'receiver answered 503',
    });
    expect(afterWebhookAttempt(failed, 3, 5, now, backoff).nextAttemptAt).toEqual(new Date('2026-01-01T00:00:04.000Z'));
  });
  it('gives up after the last attempt, keeping the error', () =>
    expect(afterWebhookAttempt({ outcome: 'failed', error: 'timeout', retryable: true }, 5, 5, now, backoff)).toEqual({
      status: 'FAILED',
      nextAttemptAt: null,
      lastError: 'timeout',
    }));
  it('gives up at once when the receiver refuses it for good', () =>
    expect(afterWebhookAttempt({ outcome: 'failed', error: 'receiver answered 400', retryable: false }, 1, 5, now, backoff).status).toBe(
      'FAILED',
    ));
  it('retries timeouts, throttling and server errors, not other refusals', () => {
    expect([408, 429, 500, 502, 503].map(isRetryableStatus)).toEqual([true, true, true, true, true]);
    expect([400, 401, 404, 410, 422].map(isRetryableStatus)).toEqual([false, false, false, false, false]);
  });
});

describe('the live feed cursor', () => {
  const empty = { position: 10, gaps: new Map<number, number>() };
  it('moves to the highest id seen', () => expect(advanceFeedCursor(empty, [11, 12], 0, 1000)).toEqual({ position: 12, gaps: new Map() }));
  it('remembers ids skipped over (a transaction not committed yet) and forgets them once seen', () => {
    const after = advanceFeedCursor(empty, [11, 14], 100, 1000);
    expect(after).toEqual({
      position: 14,
      gaps: new Map([
        [12, 100],
        [13, 100],
      ]),
    });
    expect(advanceFeedCursor(after, [13], 200, 1000)).toEqual({ position: 14, gaps: new Map([[12, 100]]) });
  });
  it('gives up on a gap after its time to live (a rolled-back transaction)', () =>
    expect(advanceFeedCursor({ position: 14, gaps: new Map([[12, 100]]) }, [], 1200, 1000)).toEqual({ position: 14, gaps: new Map() }));
});

describe('the AsyncAPI routing table', () => {
  it('lists notification as a consumer of exactly the events it handles', () => {
    const listed = Object.entries(eventRoutes)
      .filter(([, r]) => r.consumers.includes('notification'))
      .map(([t]) => t);
    expect(listed.sort()).toEqual(Object.keys(notificationHandlers({ webhook: false })).sort());
  });
});
