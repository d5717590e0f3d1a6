import { describe, expect, it } from 'vitest';
import { MAX_CONTRADICTIONS, afterCharge, afterRefund, onReservationCancelled, type Payment } from '../src/payment.js';

const payment: Payment = {
  id: 3,
  reservationId: 7,
  customerId: 1,
  amount: 600_000,
  status: 'CHARGING',
  cancelRequested: false,
  attempts: 1,
  authorizationCode: null,
  contradictions: 0,
};

describe('a charge (saga step 4)', () => {
  it('approved → APPROVED and PaymentApproved', () => {
    expect(afterCharge(payment, { outcome: 'approved', authorizationCode: 'A1' })).toEqual({
      status: 'APPROVED',
      authorizationCode: 'A1',
      events: [{ type: 'PaymentApproved', data: { reservationId: 7, paymentId: 3, amount: 600_000, authorizationCode: 'A1' } }],
    });
  });
  it('declined → DECLINED and PaymentDeclined with the processor reason', () => {
    expect(afterCharge(payment, { outcome: 'declined', reason: 'card_declined' })).toEqual({
      status: 'DECLINED',
      declineReason: 'card_declined',
      events: [{ type: 'PaymentDeclined', data: { reservationId: 7, paymentId: 3, amount: 600_000, reason: 'card_declined' } }],
    });
  });
  it('a failed call waits and retries (the breaker may be open); nothing is emitted', () => {
    expect(afterCharge(payment, { outcome: 'failed', error: 'timeout' })).toEqual({ status: 'PENDING', events: [], retry: true });
  });
  it('approved after the reservation was cancelled during the call → refund next', () => {
    const t = afterCharge({ ...payment, cancelRequested: true }, { outcome: 'approved', authorizationCode: 'A1' });
    expect(t.status).toBe('REFUND_PENDING');
    expect(t.events.map((e) => e.type)).toEqual(['PaymentApproved']);
  });
  it('failed after a cancel → void by reference (the processor may have charged)', () => {
    expect(afterCharge({ ...payment, cancelRequested: true }, { outcome: 'failed', error: 'timeout' })).toEqual({
      status: 'REFUND_PENDING',
      events: [],
    });
  });
});

describe('a refund (compensation)', () => {
  it('refunded → REFUNDED and PaymentRefunded', () => {
    expect(afterRefund(payment, { outcome: 'refunded' })).toEqual({
      status: 'REFUNDED',
      events: [{ type: 'PaymentRefunded', data: { reservationId: 7, paymentId: 3, amount: 600_000 } }],
    });
  });
  it('nothing was charged → VOIDED, no event', () =>
    expect(afterRefund(payment, { outcome: 'voided' })).toEqual({ status: 'VOIDED', events: [] }));
  it('a failed call retries', () =>
    expect(afterRefund(payment, { outcome: 'failed', error: 'x' })).toEqual({ status: 'REFUND_PENDING', events: [], retry: true }));

  describe('an answer that contradicts the record (a processor that forgot the charge)', () => {
    const charged: Payment = { ...payment, status: 'REFUNDING', authorizationCode: 'A1B2C3' };
    it('voided for a charge the processor approved is an error: retried, no event, never VOIDED', () => {
      const t = afterRefund(charged, { outcome: 'voided' });
      expect(t).toMatchObject({ status: 'REFUND_PENDING', events: [], retry: true, contradiction: { count: 1 } });
      expect(t.contradiction!.error).toMatch(/voided .* approved \(authorization A1B2C3\)/);
    });
    it(`after ${MAX_CONTRADICTIONS} such answers the payment is parked as REFUND_FAILED for a person (no event)`, () => {
      expect(afterRefund({ ...charged, contradictions: MAX_CONTRADICTIONS - 2 }, { outcome: 'voided' })).toMatchObject({
        status: 'REFUND_PENDING',
        retry: true,
      });
      const parked = afterRefund({ ...charged, contradictions: MAX_CONTRADICTIONS - 1 }, { outcome: 'voided' });
      expect(parked).toMatchObject({ status: 'REFUND_FAILED', events: [], contradiction: { count: MAX_CONTRADICTIONS } });
      expect(parked.retry).toBeUndefined();
    });
    it('refunded still refunds, whatever came before', () => {
      expect(afterRefund({ ...charged, contradictions: 3 }, { outcome: 'refunded' })).toMatchObject({
        status: 'REFUNDED',
        events: [{ type: 'PaymentRefunded' }],
      });
    });
    it('a parked refund is not reopened by a second cancellation', () =>
      expect(onReservationCancelled({ ...charged, status: 'REFUND_FAILED' })).toBeNull());
  });
});

describe('the reservation is cancelled', () => {
  it.each([
    ['PENDING', 0, { status: 'VOIDED' }],
    ['PENDING', 2, { status: 'REFUND_PENDING' }],
    ['CHARGING', 1, { cancelRequested: true }],
    ['APPROVED', 1, { status: 'REFUND_PENDING' }],
    ['DECLINED', 1, null],
    ['REFUNDED', 1, null],
    ['VOIDED', 0, null],
  ] as const)('%s (attempts %i) → %o', (status, attempts, expected) => {
    expect(onReservationCancelled({ ...payment, status, attempts })).toEqual(expected);
  });
});
