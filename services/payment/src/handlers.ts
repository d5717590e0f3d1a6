// Inbound events of the payment service. Charging happens in the payment worker, not here: a handler
// only records what must be done, in the inbox transaction, so a processor outage never blocks or
// dead-letters the event stream.
import type { EventHandlers } from '@airline/outbox';
import { currentTraceparent } from '@airline/telemetry';
import { onReservationCancelled, type PaymentStatus } from './payment.js';
import { insertVoidedPayment, lockPaymentOfReservation, openPayment, toPayment, updatePayment } from './repository.js';

export function paymentHandlers(workToDo: () => void): EventHandlers {
  return {
    /** Step 4 begins: seats are held, so a payment is due. */
    async SeatsReserved(event, { tx, afterCommit }) {
      const d = event.data;
      openPayment(tx, {
        reservationId: d.reservationId,
        customerId: d.customerId,
        amount: d.amount,
        currency: d.currency,
        paymentMethod: d.paymentMethod,
        cardLast4: d.cardLast4,
        cardBrand: d.cardBrand,
        chargeBefore: d.holdExpiresAt,
        traceParent: currentTraceparent(), // the charge joins this event's trace (tracing on only)
      });
      afterCommit(workToDo); // a wake-up: nothing new to do (a cancel came first) costs one empty pass
    },

    /** Compensation: void a payment not made yet, refund one that was. */
    async ReservationCancelled(event, { tx, afterCommit }) {
      const d = event.data;
      const row = await lockPaymentOfReservation(tx, d.reservationId);
      if (!row) {
        insertVoidedPayment(tx, { reservationId: d.reservationId, customerId: d.customerId, amount: d.amount, currency: d.currency });
        return;
      }
      const next = onReservationCancelled(toPayment(row));
      if (!next) return;
      if ('cancelRequested' in next) updatePayment(tx, row.id, { cancelRequested: true });
      else {
        updatePayment(tx, row.id, { status: next.status as PaymentStatus, nextAttemptAt: new Date(0), traceParent: currentTraceparent() });
        if (next.status === 'REFUND_PENDING') afterCommit(workToDo);
      }
    },
  };
}
