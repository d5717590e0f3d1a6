// Payment rules, pure: what a processor answer or a cancellation does to a payment.
import type { NewEvent } from '@airline/contracts';

export type PaymentStatus = 'PENDING' | 'CHARGING' | 'APPROVED' | 'DECLINED' | 'REFUND_PENDING' | 'REFUNDING' | 'REFUNDED' | 'VOIDED';

export interface Payment {
  id: number;
  reservationId: number;
  customerId: number;
  amount: number;
  status: PaymentStatus;
  cancelRequested: boolean;
  attempts: number;
}

export type ChargeResult = { outcome: 'approved'; authorizationCode: string } | { outcome: 'declined'; reason: string } | { outcome: 'failed'; error: string };
export type RefundResult = { outcome: 'refunded' } | { outcome: 'voided' } | { outcome: 'failed'; error: string };

export interface Transition {
  status: PaymentStatus;
  events: NewEvent<'PaymentApproved' | 'PaymentDeclined' | 'PaymentRefunded'>[];
  /** Set when the call failed: try again later. */
  retry?: boolean;
  declineReason?: string;
  authorizationCode?: string;
}

/** Step 4: the processor's answer to a charge. A cancel that arrived during the call turns an approval into a refund. */
export function afterCharge(p: Payment, result: ChargeResult): Transition {
  switch (result.outcome) {
    case 'approved':
      return {
        status: p.cancelRequested ? 'REFUND_PENDING' : 'APPROVED',
        authorizationCode: result.authorizationCode,
        events: [{ type: 'PaymentApproved', data: { reservationId: p.reservationId, paymentId: p.id, amount: p.amount, authorizationCode: result.authorizationCode } }],
      };
    case 'declined':
      return {
        status: 'DECLINED',
        declineReason: result.reason,
        events: [{ type: 'PaymentDeclined', data: { reservationId: p.reservationId, paymentId: p.id, amount: p.amount, reason: result.reason } }],
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

/** Compensation: the processor's answer to a refund (or a void when nothing was charged). */
export function afterRefund(p: Payment, result: RefundResult): Transition {
  switch (result.outcome) {
    case 'refunded':
      return { status: 'REFUNDED', events: [{ type: 'PaymentRefunded', data: { reservationId: p.reservationId, paymentId: p.id, amount: p.amount } }] };
    case 'voided':
      return { status: 'VOIDED', events: [] };
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
      return null;
    default: {
      const unknown: never = p.status;
      throw new Error(`unknown payment status ${unknown}`);
    }
  }
}
