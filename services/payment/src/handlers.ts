// Inbound events of the payment service. Charging happens in the payment worker, not here: a handler
// only records what must be done, in the inbox transaction, so a processor outage never blocks or
// dead-letters the event stream. A payment to make is opened already claimed for this replica's worker
// and handed to it once the transaction has committed: the worker charges it at once, with no claim.
import { perTransaction, type Tx } from '@airline/database';
import type { EventHandlers } from '@airline/outbox';
import { currentTraceparent } from '@airline/telemetry';
import { onReservationCancelled, type PaymentStatus } from './payment.js';
import {
  insertVoidedPayment,
  lockPaymentOfReservation,
  openPaymentToCharge,
  paymentsOpenedToCharge,
  toPayment,
  updatePayment,
  withdrawOpenedPayment,
  type PaymentRow,
} from './repository.js';

/** What the handlers need of the payment worker. */
export interface PaymentWork {
  /** Look for due work (a refund to make). */
  kick(): void;
  /** Charge these payments, opened and claimed in a transaction that has committed. */
  take(rows: PaymentRow[]): void;
  /** When a claim made now runs out (a worker that died with it: another claims the payment then). */
  leaseUntil(now: Date): Date;
}

export function paymentHandlers(worker: PaymentWork): EventHandlers {
  /** One hand-over per transaction, however many of its events opened payments. */
  const handOver = perTransaction(() => ({ fn: undefined as (() => void) | undefined }));
  const handOverOf = (tx: Tx) => (handOver.of(tx).fn ??= () => worker.take(paymentsOpenedToCharge(tx)));

  return {
    /** Step 4 begins: seats are held, so a payment is due. */
    async SeatsReserved(event, { tx, now, afterCommit }) {
      const d = event.data;
      openPaymentToCharge(
        tx,
        {
          reservationId: d.reservationId,
          customerId: d.customerId,
          amount: d.amount,
          currency: d.currency,
          paymentMethod: d.paymentMethod,
          cardLast4: d.cardLast4,
          cardBrand: d.cardBrand,
          chargeBefore: d.holdExpiresAt,
          traceParent: currentTraceparent(), // the charge joins this event's trace (tracing on only)
        },
        { now, leaseUntil: worker.leaseUntil(now) },
      );
      afterCommit(handOverOf(tx)); // nothing opened (a cancel came first, a redelivery): nothing handed over
    },

    /** Compensation: void a payment not made yet, refund one that was. */
    async ReservationCancelled(event, { tx, afterCommit }) {
      const d = event.data;
      const row = await lockPaymentOfReservation(tx, d.reservationId);
      if (!row) {
        insertVoidedPayment(tx, { reservationId: d.reservationId, customerId: d.customerId, amount: d.amount, currency: d.currency });
        return;
      }
      // opened to charge by this very transaction: nobody has called the processor, so nothing to undo
      if (row.status === 'CHARGING' && withdrawOpenedPayment(tx, row.id)) {
        updatePayment(tx, row.id, { status: 'VOIDED' });
        return;
      }
      const next = onReservationCancelled(toPayment(row));
      if (!next) return;
      if ('cancelRequested' in next) updatePayment(tx, row.id, { cancelRequested: true });
      else {
        updatePayment(tx, row.id, { status: next.status as PaymentStatus, nextAttemptAt: new Date(0), traceParent: currentTraceparent() });
        if (next.status === 'REFUND_PENDING') afterCommit(worker.kick);
      }
    },
  };
}
