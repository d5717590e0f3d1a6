// The payment decider: a command gives the payment's events or a refusal, as a value; evolve applies them.
import { applyCommand, refuse } from '@airline/decider';
import { describe, expect, it } from 'vitest';
import { MAX_CONTRADICTIONS, paymentDecider, type Payment } from '../src/payment.js';

const charging: Payment = {
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
const claim = { status: 'CHARGING' as const, attempts: 1 };

describe('the payment decider', () => {
  it('refuses any command when there is no payment', () => {
    expect(paymentDecider.decide({ type: 'Cancel' }, null)).toEqual(refuse('no payment'));
  });

  it('records an approval made under the latest claim: APPROVED, with its authorization and PaymentApproved', () => {
    const handled = applyCommand(paymentDecider, charging, {
      type: 'RecordAnswer',
      claim,
      result: { outcome: 'approved', authorizationCode: 'A1' },
    });
    expect(handled).toMatchObject({ state: { status: 'APPROVED', authorizationCode: 'A1' } });
    expect('events' in handled && handled.events.flatMap((e) => (e.type === 'Answered' ? e.transition.events : []))).toEqual([
      { type: 'PaymentApproved', data: { reservationId: 7, paymentId: 3, amount: 600_000, authorizationCode: 'A1' } },
    ]);
  });

  it('refuses an answer whose claim is no longer the latest (claimed again, or already recorded)', () => {
    const claimedAgain = { ...charging, attempts: 2 };
    const answer = { type: 'RecordAnswer' as const, claim, result: { outcome: 'approved' as const, authorizationCode: 'A1' } };
    expect(applyCommand(paymentDecider, claimedAgain, answer)).toEqual({ state: claimedAgain, refused: 'claim superseded' });
    expect(applyCommand(paymentDecider, { ...charging, status: 'APPROVED' }, answer)).toMatchObject({ refused: 'claim superseded' });
  });

  it('a cancel during the charge asks for it to be undone; the approval that follows turns into a refund due', () => {
    const cancelled = applyCommand(paymentDecider, charging, { type: 'Cancel' });
    expect(cancelled).toEqual({ state: { ...charging, cancelRequested: true }, events: [{ type: 'CancelRequested' }] });
    const approved = applyCommand(paymentDecider, cancelled.state, {
      type: 'RecordAnswer',
      claim,
      result: { outcome: 'approved', authorizationCode: 'A1' },
    });
    expect(approved.state).toMatchObject({ status: 'REFUND_PENDING', authorizationCode: 'A1' });
  });

  it('a cancel of an approved payment makes its refund due; of a declined one, nothing', () => {
    expect(applyCommand(paymentDecider, { ...charging, status: 'APPROVED' }, { type: 'Cancel' })).toMatchObject({
      state: { status: 'REFUND_PENDING' },
      events: [{ type: 'Cancelled', status: 'REFUND_PENDING' }],
    });
    expect(applyCommand(paymentDecider, { ...charging, status: 'DECLINED' }, { type: 'Cancel' })).toEqual({
      state: { ...charging, status: 'DECLINED' },
      events: [],
    });
  });

  it('a contradicting refund answer counts; the last one parks the payment as REFUND_FAILED', () => {
    const refunding: Payment = { ...charging, status: 'REFUNDING', authorizationCode: 'A1', contradictions: MAX_CONTRADICTIONS - 1 };
    const handled = applyCommand(paymentDecider, refunding, {
      type: 'RecordAnswer',
      claim: { status: 'REFUNDING', attempts: 1 },
      result: { outcome: 'voided' },
    });
    expect(handled.state).toMatchObject({ status: 'REFUND_FAILED', contradictions: MAX_CONTRADICTIONS });
  });
});
