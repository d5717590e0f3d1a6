// Inbound events of the payment service. Charging happens in the payment worker, not here: a handler
// only records what must be done, in the inbox transaction, so a processor outage never blocks or
// dead-letters the event stream. A payment to make is opened already claimed for this replica's worker
// and handed to it once the transaction has committed: the worker charges it at once, with no claim.
import type { StateStore } from '@airline/decider';
import { handleCommand } from '@airline/decider';
import type { EventHandlers } from '@airline/outbox';
import { currentTraceparent } from '@airline/telemetry';
import { paymentDecider, type Payment, type PaymentEvent } from './payment.js';
import {
  changeLockedPayment,
  lockPaymentOfReservation,
  opensPayment,
  paymentOpenedToCharge,
  stagePaymentToCharge,
  stageVoidedPayment,
  toPayment,
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

/** A reservation's payment, as the decider sees it: locked in the unit of work, and its change staged back. */
const paymentOfReservation: StateStore<number, Payment | null, PaymentEvent> = {
  async load(uow, reservationId) {
    const row = await lockPaymentOfReservation(uow, reservationId);
    return row && toPayment(row);
  },
  async save(uow, reservationId, state, events) {
    const row = (await lockPaymentOfReservation(uow, reservationId))!; // known: loaded by this command
    const cancelled = [...events].reverse().find((e) => e.type === 'Cancelled');
    changeLockedPayment(uow, row, {
      cancelRequested: state?.cancelRequested,
      ...(cancelled ? { status: cancelled.status, nextAttemptAt: new Date(0), traceParent: currentTraceparent() } : {}),
    });
  },
};

export function paymentHandlers(worker: PaymentWork): EventHandlers {
  return {
    /** Step 4 begins: seats are held, so a payment is due. */
    async SeatsReserved(event, { uow, now, afterCommit }) {
      const d = event.data;
      stagePaymentToCharge(
        uow,
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
      // once committed, the flushed unit of work knows what it opened: nothing (a cancel came first, a redelivery), nothing handed over
      afterCommit(() => void paymentOpenedToCharge(uow, d.reservationId).then((row) => row && worker.take([row])));
    },

    /** Compensation: void a payment not made yet, refund one that was. */
    async ReservationCancelled(event, { uow, afterCommit }) {
      const d = event.data;
      const voided = { reservationId: d.reservationId, customerId: d.customerId, amount: d.amount, currency: d.currency };
      // opened to charge by this very unit of work (not flushed): nobody has called the processor, so nothing to undo
      if (opensPayment(uow, d.reservationId)) return stageVoidedPayment(uow, voided);
      const handled = await handleCommand(paymentDecider, { store: paymentOfReservation, emit: () => {} }, uow, d.reservationId, {
        type: 'Cancel',
      });
      if ('refused' in handled) return stageVoidedPayment(uow, voided); // no payment yet: a VOIDED one makes the later SeatsReserved open nothing
      if (handled.state?.status === 'REFUND_PENDING' && handled.events.length > 0) afterCommit(worker.kick);
    },
  };
}
