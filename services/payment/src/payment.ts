// Payment rules, pure: what a processor answer or a cancellation does to a payment. The payment decider
// (the shape every service's domain has, @airline/decider) decides on these rules: a command gives the
// payment's events or a refusal, as a value, and `evolve` applies them.
import type { NewEvent } from '@airline/contracts';
import { refuse, type Decider } from '@airline/decider';

export type PaymentStatus =
  | 'PENDING'
  | 'CHARGING'
  | 'APPROVED'
  | 'DECLINED'
  | 'REFUND_PENDING'
  | 'REFUNDING'
  | 'REFUNDED'
  | 'VOIDED'
  | 'REFUND_FAILED';

export interface Payment {
  id: number;
  reservationId: number;
  customerId: number;
  amount: number;
  status: PaymentStatus;
  cancelRequested: boolean;
  attempts: number;
  /** Set once the processor approved the charge: from then on, nothing charged is a contradiction. */
  authorizationCode: string | null;
  /** Refund answers so far that contradicted this record. */
  contradictions: number;
}

/** Contradicting answers to a refund before the payment is parked (REFUND_FAILED) for a person. */
export const MAX_CONTRADICTIONS = 5;

export type ChargeResult =
  | { outcome: 'approved'; authorizationCode: string }
  | { outcome: 'declined'; reason: string }
  | { outcome: 'failed'; error: string };
export type RefundResult = { outcome: 'refunded' } | { outcome: 'voided' } | { outcome: 'failed'; error: string };

export interface Transition {
  status: PaymentStatus;
  events: NewEvent<'PaymentApproved' | 'PaymentDeclined' | 'PaymentRefunded'>[];
  /** Set when the call failed: try again later. */
  retry?: boolean;
  declineReason?: string;
  authorizationCode?: string;
  /** The processor's answer contradicts this record: an error to retry, then park (never a success). */
  contradiction?: { count: number; error: string };
}

/** Step 4: the processor's answer to a charge. A cancel that arrived during the call turns an approval into a refund. */
export function afterCharge(p: Payment, result: ChargeResult): Transition {
  switch (result.outcome) {
    case 'approved':
      return {
        status: p.cancelRequested ? 'REFUND_PENDING' : 'APPROVED',
        authorizationCode: result.authorizationCode,
        events: [
          {
            type: 'PaymentApproved',
            data: { reservationId: p.reservationId, paymentId: p.id, amount: p.amount, authorizationCode: result.authorizationCode },
          },
        ],
      };
    case 'declined':
      return {
        status: 'DECLINED',
        declineReason: result.reason,
        events: [
          { type: 'PaymentDeclined', data: { reservationId: p.reservationId, paymentId: p.id, amount: p.amount, reason: result.reason } },
        ],
      };
    case 'failed':
      // We cannot know whether the processor charged: a cancelled payment is voided by reference.
      return p.cancelRequested ? { status: 'REFUND_PENDING', events: [] } : { status: 'PENDING', events: [], retry: true };
    default: {
      const unknown: never = result;
      throw new Error(`unknown charge result ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * Compensation: the processor's answer to a refund (or a void when nothing was charged). A void of a
 * payment the processor approved contradicts this record (a processor that forgot the charge): it is
 * an error, retried, and after MAX_CONTRADICTIONS answers the payment is parked as REFUND_FAILED.
 */
export function afterRefund(p: Payment, result: RefundResult): Transition {
  switch (result.outcome) {
    case 'refunded':
      return {
        status: 'REFUNDED',
        events: [{ type: 'PaymentRefunded', data: { reservationId: p.reservationId, paymentId: p.id, amount: p.amount } }],
      };
    case 'voided': {
      if (p.authorizationCode === null) return { status: 'VOIDED', events: [] };
      const count = p.contradictions + 1;
      const error = `the processor answered voided (nothing charged) for a charge it approved (authorization ${p.authorizationCode}); answer ${count} of ${MAX_CONTRADICTIONS}`;
      return count >= MAX_CONTRADICTIONS
        ? { status: 'REFUND_FAILED', events: [], contradiction: { count, error } }
        : { status: 'REFUND_PENDING', events: [], retry: true, contradiction: { count, error } };
    }
    case 'failed':
      return { status: 'REFUND_PENDING', events: [], retry: true };
    default: {
      const unknown: never = result;
      throw new Error(`unknown refund result ${JSON.stringify(unknown)}`);
    }
  }
}

/** Compensation: the reservation was cancelled. Returns the payment's next status, or a flag for a call in flight. */
export function onReservationCancelled(p: Payment): { status: PaymentStatus } | { cancelRequested: true } | null {
  switch (p.status) {
    case 'PENDING':
      // never tried: nothing to undo; tried and failed: the processor may have charged, so void by reference
      return { status: p.attempts === 0 ? 'VOIDED' : 'REFUND_PENDING' };
    case 'CHARGING':
      return { cancelRequested: true };
    case 'APPROVED':
      return { status: 'REFUND_PENDING' };
    case 'DECLINED':
    case 'REFUND_PENDING':
    case 'REFUNDING':
    case 'REFUNDED':
    case 'VOIDED':
    case 'REFUND_FAILED':
      return null;
    default: {
      const unknown: never = p.status;
      throw new Error(`unknown payment status ${unknown}`);
    }
  }
}

/** What is asked of a payment: the reservation was cancelled, or a processor call made under a claim answered. */
export type PaymentCommand =
  | { type: 'Cancel' }
  | {
      type: 'RecordAnswer';
      /** The claim the call was made under (status and attempt, as claimed). */
      claim: { status: PaymentStatus; attempts: number };
      result: ChargeResult | RefundResult;
    };

/** What happened to a payment. */
export type PaymentEvent =
  /** Cancelled while its charge is under way: the charge's answer decides what to undo. */
  | { type: 'CancelRequested' }
  /** Cancelled: nothing to undo (VOIDED), or a refund (or a void by reference) is due. */
  | { type: 'Cancelled'; status: 'VOIDED' | 'REFUND_PENDING' }
  /** The processor answered a call: the payment moves on as the transition says. */
  | { type: 'Answered'; transition: Transition };

/** A command turned down: there is no payment, or the claim the call was made under is no longer the payment's latest. */
export type PaymentRefusal = 'no payment' | 'claim superseded';

export const paymentDecider: Decider<Payment | null, PaymentCommand, PaymentEvent, PaymentRefusal> = {
  initialState: () => null,
  decide(command, p) {
    if (!p) return refuse('no payment');
    switch (command.type) {
      case 'Cancel': {
        const next = onReservationCancelled(p);
        if (!next) return [];
        return 'cancelRequested' in next
          ? [{ type: 'CancelRequested' }]
          : [{ type: 'Cancelled', status: next.status as 'VOIDED' | 'REFUND_PENDING' }];
      }
      case 'RecordAnswer': {
        // that claim ran out and the payment was claimed again, or that call's answer is recorded already
        if (p.status !== command.claim.status || p.attempts !== command.claim.attempts) return refuse('claim superseded');
        const transition =
          p.status === 'CHARGING' ? afterCharge(p, command.result as ChargeResult) : afterRefund(p, command.result as RefundResult);
        return [{ type: 'Answered', transition }];
      }
      default: {
        const unknown: never = command;
        throw new Error(`unknown payment command ${JSON.stringify(unknown)}`);
      }
    }
  },
  evolve(p, event) {
    if (!p) return p;
    switch (event.type) {
      case 'CancelRequested':
        return { ...p, cancelRequested: true };
      case 'Cancelled':
        return { ...p, status: event.status };
      case 'Answered': {
        const t = event.transition;
        return {
          ...p,
          status: t.status,
          authorizationCode: t.authorizationCode ?? p.authorizationCode,
          contradictions: t.contradiction?.count ?? p.contradictions,
        };
      }
      default: {
        const unknown: never = event;
        throw new Error(`unknown payment event ${JSON.stringify(unknown)}`);
      }
    }
  },
};
