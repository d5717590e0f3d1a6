// Calls the processor for due payments (charges and refunds), outside any transaction, then records
// the answer and its event in one transaction. Failed calls come back later with backoff; they never
// give up on their own: the reservation's hold expiry decides when waiting is over.
import type { Database } from '@airline/database';
import { backoffMs } from '@airline/messaging';
import { appendToOutbox, type Clock } from '@airline/outbox';
import type { Worker } from '@airline/service';
import type { Logger } from 'pino';
import { afterCharge, afterRefund } from './payment.js';
import type { PaymentProcessor } from './processor.js';
import { claimDuePayments, findPayment, toPayment, updatePayment, type PaymentRow } from './repository.js';

export interface PaymentWorkerOptions {
  batchSize?: number;
  leaseMs?: number;
  idleMs?: number;
}

export interface PaymentWorker extends Worker {
  kick(): void;
  /** One pass over due payments (tests drive it directly). */
  runOnce(): Promise<number>;
}

export function paymentWorker(db: Database, processor: PaymentProcessor, clock: Clock, onCommit: () => void, log: Logger, options: PaymentWorkerOptions = {}): PaymentWorker {
  const batchSize = options.batchSize ?? 128;
  const leaseMs = options.leaseMs ?? 30_000;
  const idleMs = options.idleMs ?? 250;
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: () => void = () => {};
  let kicked = false;

  const reference = (row: PaymentRow) => `reservation-${row.reservation_id}`;

  async function process(row: PaymentRow) {
    const charging = row.status === 'CHARGING';
    const result = charging ? await processor.charge({ reference: reference(row), amount: row.amount, card: row.card }) : await processor.refund({ reference: reference(row) });
    await db.transaction(async (tx) => {
      const current = await findPayment(tx, row.id, true); // re-read: a cancel may have arrived during the call
      if (!current) return;
      const payment = toPayment(current);
      const t = charging ? afterCharge(payment, result as Parameters<typeof afterCharge>[1]) : afterRefund(payment, result as Parameters<typeof afterRefund>[1]);
      await updatePayment(tx, row.id, {
        status: t.status,
        declineReason: t.declineReason,
        authorizationCode: t.authorizationCode,
        nextAttemptAt: t.retry ? new Date(clock().getTime() + backoffMs(row.attempts, 200, 30_000)) : t.status === 'REFUND_PENDING' ? new Date(0) : undefined,
        lastError: result.outcome === 'failed' ? result.error : null,
      });
      await appendToOutbox(tx, t.events, { correlationId: String(row.reservation_id), causationId: `payment-${row.id}` }, clock);
    });
    if (result.outcome === 'failed') log.warn({ reservationId: row.reservation_id, attempt: row.attempts, error: result.error }, 'processor call failed; will retry');
  }

  async function runOnce(): Promise<number> {
    const rows = await db.transaction((tx) => claimDuePayments(tx, clock(), leaseMs, batchSize));
    if (rows.length === 0) return 0;
    await Promise.all(rows.map((r) => process(r).catch((err) => log.error({ err, paymentId: r.id }, 'recording a processor answer failed; the lease will expire and it is retried'))));
    onCommit();
    return rows.length;
  }

  async function run() {
    while (running) {
      let n = 0;
      try {
        n = await runOnce();
      } catch (err) {
        log.warn({ err }, 'payment worker pass failed');
      }
      if (n > 0 || !running) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, idleMs);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
        if (kicked) wake();
      });
      kicked = false;
      wake = () => {};
    }
  }

  return {
    name: 'payment-worker',
    kick() {
      kicked = true;
      wake();
    },
    runOnce,
    start() {
      if (running) return;
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      wake();
      await loop;
    },
  };
}
