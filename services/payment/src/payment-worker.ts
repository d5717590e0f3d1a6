// Calls the processor for due payments (charges and refunds), outside any transaction, then records
// the answer and its event in one transaction. Failed calls come back later with backoff; they never
// give up on their own: the reservation's hold expiry decides when waiting is over.
// The loop does not wait for a batch's answers before it claims again: a payment that comes due while
// the processor answers earlier ones is claimed and charged at once (up to batchSize payments in
// flight), instead of waiting for the pass before it. A claimed payment is leased, so no other pass (or
// replica) claims it while its call is under way.
import type { Database } from '@airline/database';
import { backoffMs } from '@airline/messaging';
import { insertIntoOutbox, passLoop, stampEvents, type Clock } from '@airline/outbox';
import type { IntegrationEvent } from '@airline/contracts';
import type { Worker } from '@airline/service';
import type { Logger } from 'pino';
import { contextFromTraceparent, currentTraceparent, inSpan, type Tracer } from '@airline/telemetry';
import { afterCharge, afterRefund, type ChargeResult, type RefundResult } from './payment.js';
import type { PaymentProcessor } from './processor.js';
import { claimDuePayments, findPayments, toPayment, updatePayments, type PaymentChange, type PaymentRow } from './repository.js';

export interface PaymentWorkerOptions {
  batchSize?: number;
  leaseMs?: number;
  idleMs?: number;
  /** Traces (tracing on): each processor call in a span of the trace that asked for it (the payment's trace_parent). */
  tracer?: Tracer;
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

  const reference = (row: PaymentRow) => `reservation-${row.reservation_id}`;

  /** Calls the processor for one claimed payment (charge or refund). */
  async function callProcessor(row: PaymentRow): Promise<ChargeResult | RefundResult> {
    return row.status === 'CHARGING'
      ? processor.charge({ reference: reference(row), amount: row.amount, paymentMethod: row.payment_method ?? '' }) // none only on rows voided at creation, never charged
      : processor.refund({ reference: reference(row) });
  }

  /** The call, traced (tracing on): a span in the trace that asked for it; its events are stamped with that span. */
  async function call(row: PaymentRow): Promise<{ result: ChargeResult | RefundResult; traceparent?: string }> {
    if (!options.tracer) return { result: await callProcessor(row) };
    const name = row.status === 'CHARGING' ? 'payment charge' : 'payment refund';
    const attributes = { 'airline.reservation_id': row.reservation_id, 'airline.payment_id': Number(row.id), 'airline.attempt': row.attempts };
    return inSpan(options.tracer, name, { attributes, parent: contextFromTraceparent(row.trace_parent) }, async (span) => {
      const result = await callProcessor(row);
      span?.setAttribute('airline.outcome', result.outcome);
      return { result, traceparent: currentTraceparent() };
    });
  }

  /** Records the answers of one pass, and their events, in one transaction. */
  async function record(answers: Array<{ row: PaymentRow; result: ChargeResult | RefundResult; traceparent?: string }>) {
    await db.transaction(async (tx) => {
      const outgoing: IntegrationEvent[] = [];
      const changes: Array<{ id: number; change: PaymentChange }> = [];
      // re-read: a cancel may have arrived during the calls
      const currents = await findPayments(tx, answers.map((a) => Number(a.row.id)), true);
      for (const { row, result, traceparent } of answers) {
        const current = currents.get(Number(row.id));
        if (!current) continue;
        const payment = toPayment(current);
        const t = row.status === 'CHARGING' ? afterCharge(payment, result as ChargeResult) : afterRefund(payment, result as RefundResult);
        const nextAttemptAt = t.retry ? new Date(clock().getTime() + backoffMs(row.attempts, 200, 30_000)) : t.status === 'REFUND_PENDING' ? new Date(0) : undefined;
        const lastError = result.outcome === 'failed' ? result.error : (t.contradiction?.error ?? null);
        const change: PaymentChange = { status: t.status, declineReason: t.declineReason, authorizationCode: t.authorizationCode, nextAttemptAt, lastError, contradictions: t.contradiction?.count };
        changes.push({ id: row.id, change });
        outgoing.push(...stampEvents(t.events, { correlationId: String(row.reservation_id), causationId: `payment-${row.id}`, traceparent }, clock));
        if (result.outcome === 'failed') log.warn({ reservationId: row.reservation_id, correlationId: String(row.reservation_id), attempt: row.attempts, error: result.error }, 'processor call failed; will retry');
        if (t.contradiction && t.status === 'REFUND_FAILED') {
          log.error({ reservationId: row.reservation_id, correlationId: String(row.reservation_id), paymentId: row.id, error: t.contradiction.error }, 'refund parked as REFUND_FAILED: the processor contradicts the payment record');
        } else if (t.contradiction) {
          log.warn({ reservationId: row.reservation_id, correlationId: String(row.reservation_id), paymentId: row.id, error: t.contradiction.error }, 'refund answer contradicts the payment record; will retry');
        }
      }
      updatePayments(tx, changes);
      insertIntoOutbox(tx, outgoing);
    });
  }

  /** Calls the processor for claimed payments and records the answers. */
  async function settle(rows: PaymentRow[]): Promise<void> {
    // processor calls never throw (failures are results); a failed recording leaves the leases to expire
    const answers = await Promise.all(rows.map(async (row) => ({ row, ...(await call(row)) })));
    await record(answers);
    onCommit();
  }

  const claim = (limit: number) => db.transaction((tx) => claimDuePayments(tx, clock(), leaseMs, limit));

  async function runOnce(): Promise<number> {
    const rows = await claim(batchSize);
    if (rows.length > 0) await settle(rows);
    return rows.length;
  }

  const failed = (err: unknown) => log.warn({ err }, 'payment worker pass failed; the claimed payments are retried when their lease runs out');
  /** Batches claimed and not settled yet, and how many payments they hold. */
  const inFlight = new Set<Promise<void>>();
  let inFlightRows = 0;

  /** The loop's pass: claims what is due (as much as there is room for) and leaves the batch to settle. */
  async function claimAndGo(): Promise<number> {
    if (inFlightRows >= batchSize) {
      await Promise.race(inFlight); // full: look again once a batch has settled
      return 1;
    }
    const rows = await claim(batchSize - inFlightRows);
    if (rows.length === 0) return 0;
    inFlightRows += rows.length;
    const settling: Promise<void> = settle(rows)
      .catch(failed)
      .finally(() => {
        inFlightRows -= rows.length;
        inFlight.delete(settling);
      });
    inFlight.add(settling);
    return rows.length;
  }

  const loop = passLoop(claimAndGo, { idleMs, onError: failed });

  return {
    name: 'payment-worker',
    kick: loop.kick,
    runOnce,
    start: loop.start,
    async stop() {
      await loop.stop();
      await Promise.all(inFlight); // the answers of calls under way are recorded
    },
  };
}
