import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PAYMENT_METHOD,
  LEGACY_PAYMENT_METHOD,
  cardBrand,
  cardProblem,
  envelope,
  legacyPaymentMethod,
  parseEvent,
  scrubCardsSql,
  upcastEvent,
  wellKnownPaymentMethod,
} from '../src/index.js';

describe('the card rule (booking and processor alike)', () => {
  it.each([
    ['4242424242424242', 'a 16-digit Visa'],
    ['378282246310005', 'a 15-digit Amex'],
    ['6011000990139424', 'Discover'],
    ['4000056655665556', 'Visa debit'],
    ['4222222222222', 'a 13-digit Visa'],
    ['6011000000000000001', '19 digits, the most there are'],
    ['500000000009', '12 digits, the fewest'],
  ])('accepts %s (%s)', (card) => expect(cardProblem(card)).toBeUndefined());

  it.each([
    ['42424242424242424242', 'digits', '20 digits: the processor takes at most 19'],
    ['            ', 'digits', '12 spaces'],
    ['4242 4242 4242 4242', 'digits', 'spaces'],
    ['42424242424', 'digits', '11 digits'],
    ['4242424242424241', 'Luhn', 'a mistyped last digit'],
    ['1234567890123', 'Luhn', 'any 13 digits'],
    ['４２４２４２４２４２４２４２４２', 'digits', 'full-width digits'],
  ])('refuses %s (%s: %s), without repeating the number', (card, why) => {
    const problem = cardProblem(card);
    expect(problem).toContain(why);
    expect(problem).not.toContain(card.trim() || 'never');
  });

  it('names the brand by the prefix, unknown when none matches', () => {
    expect(cardBrand('4242424242424242')).toBe('visa');
    expect(cardBrand('5555555555554444')).toBe('mastercard');
    expect(cardBrand('378282246310005')).toBe('american-express');
    expect(cardBrand('9999999999999995')).toBe('unknown');
  });

  it('the default payment method is the approving test Visa, by its well-known token', () => {
    expect(DEFAULT_PAYMENT_METHOD).toEqual({ paymentMethod: 'pm_card_visa', cardLast4: '4242', cardBrand: 'visa' });
    expect(wellKnownPaymentMethod('pm_card_chargeDeclined')).toEqual({
      paymentMethod: 'pm_card_chargeDeclined',
      cardLast4: '0002',
      cardBrand: 'visa',
    });
    expect(wellKnownPaymentMethod('pm_AbC123')).toBeUndefined();
  });
});

const meta = {
  eventId: '6f1c1b7e-6a8e-4c43-9f39-2a1d4c7b9e10',
  occurredAt: '2026-01-01T00:00:00.000Z',
  correlationId: '7',
  causationId: null,
};
const placedData = {
  reservationId: 7,
  bookingReference: 'ABC234',
  customerId: 3,
  flightId: 1,
  seatQty: 2,
  amount: 400,
  reserveDate: '2026-01-01',
  holdExpiresAt: '2026-01-01T00:15:00.000Z',
};
const oldPlaced = (card: string) => ({ ...meta, version: 1, type: 'ReservationPlaced', data: { ...placedData, card } });

describe('events from before tokenisation (card in ReservationPlaced / SeatsReserved)', () => {
  it('are read with a payment method in place of the number', () => {
    const e = parseEvent(oldPlaced('4000000000000002'));
    expect(e.data).toEqual({ ...placedData, paymentMethod: 'pm_card_chargeDeclined', cardLast4: '0002', cardBrand: 'visa' });
    expect(JSON.stringify(e)).not.toContain('4000000000000002');
  });
  it('a number that is no test card becomes the legacy token, keeping last four and brand', () => {
    expect(legacyPaymentMethod('5105105105105100')).toEqual({
      paymentMethod: LEGACY_PAYMENT_METHOD,
      cardLast4: '5100',
      cardBrand: 'mastercard',
    });
    const reserved = {
      ...meta,
      version: 1,
      type: 'SeatsReserved',
      data: { reservationId: 7, customerId: 3, flightId: 1, seatQty: 2, amount: 400, card: '5105105105105100', remainingSeatsCount: 3 },
    };
    expect(parseEvent(reserved).data).toMatchObject({ paymentMethod: LEGACY_PAYMENT_METHOD, cardLast4: '5100' });
    expect(parseEvent(reserved).data).not.toHaveProperty('card');
  });
  it('a new event is left as it is, and one that carries a card as well loses it', () => {
    const fresh = envelope({ type: 'ReservationPlaced', data: { ...placedData, ...DEFAULT_PAYMENT_METHOD } }, meta);
    expect(upcastEvent(fresh)).toBe(fresh);
    expect(upcastEvent({ ...fresh, data: { ...fresh.data, card: '4242424242424242' } })).toEqual(fresh);
  });
  it('the SQL rewrite touches only card events and names the same fields', () => {
    const sql = scrubCardsSql('outbox', 'payload', 'envelope');
    expect(sql).toMatch(/IN \('ReservationPlaced', 'SeatsReserved'\)/);
    for (const field of ['paymentMethod', 'cardLast4', 'cardBrand']) expect(sql).toContain(`'${field}'`);
  });
});
