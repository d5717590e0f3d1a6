// Calls the processor for payments to make (charges and refunds), outside any transaction, then records
// each answer and its event. Failed calls come back later with backoff; they never give up on their own:
// the reservation's hold expiry decides when waiting is over.
// A charge asked for by SeatsReserved is handed over by the consumer that opened it (already claimed in
// its transaction), so it is charged at once, with no claim and no pass. The loop's passes claim the rest:
// refunds, retries whose time has come, and calls whose claim ran out (a worker that died with them).
// Every call is recorded as its answer comes, not after the slowest of a batch: answers that come while
// one recording transaction is under way go together in the next (group commit, no timer). A claimed
// payment is leased, so no other pass (or replica) claims it while its call is under way; an answer is
// recorded only while its claim is still the payment's latest (status and attempt unchanged).
import { backoffMs } from '@airline/messaging';
import { insertIntoOutbox, passLoop, stampEvents, type Clock } from '@airline/outbox';
import { groupCommit, UnitOfWork, type Database, type Tx } from '@airline/database';
import { handleCommand } from '@airline/decider';
import type { IntegrationEvent } from '@airline/contracts';
import type { Worker } from '@airline/service';
import type { Logger } from 'pino';
import { contextFromTraceparent, currentTraceparent, inSpan, type Tracer } from '@airline/telemetry';
import { paymentDecider, type ChargeResult, type RefundResult } from './payment.js';
import type { PaymentProcessor } from './processor.js';
import { claimDuePayments, lockedPayment, lockPayments, stagePaymentChange, toPayment, type PaymentRow } from './repository.js';

export interface PaymentWorkerOptions {
  /** Payments in hand at most (claimed by a pass, or handed over, and not recorded yet) before a pass claims more. */
  batchSize?: number;
  /**
   * Processor calls under way at most; the others wait their turn here. The processor answers a few at a
   * time whatever we send: a call sent to wait its turn there would run into its timeout instead.
   */
  maxCalls?: number;
  leaseMs?: number;
  idleMs?: number;
  /** Traces (tracing on): each processor call in a span of the trace that asked for it (the payment's trace_parent). */
  tracer?: Tracer;
}

export interface PaymentWorker extends Worker {
  kick(): void;
  /** Charges these payments at once: opened and claimed by a transaction that has committed (the consumer's). */
  take(rows: PaymentRow[]): void;
  /** When a claim made at `now` runs out. */
  leaseUntil(now: Date): Date;
  /** One pass over due payments, its answers recorded (tests drive it directly). */
  runOnce(): Promise<number>;
}

type Answer = { row: PaymentRow; result: ChargeResult | RefundResult; traceparent?: string };

export function paymentWorker(
  db: Database,
  processor: PaymentProcessor,
  clock: Clock,
  onCommit: () => void,
  log: Logger,
  options: PaymentWorkerOptions = {},
): PaymentWorker {
  const batchSize = options.batchSize ?? 128;
  const leaseMs = options.leaseMs ?? 30_000;
  const idleMs = options.idleMs ?? 250;
  const maxCalls = options.maxCalls ?? 16;

  const reference = (row: PaymentRow) => `reservation-${row.reservation_id}`;

  /** Calls the processor for one claimed payment (charge or refund). */
  async function callProcessor(row: PaymentRow): Promise<ChargeResult | RefundResult> {
    // a charge that waited for its turn past the end of the hold is not started: the seats are gone, and the
    // payment waits, uncharged, for the cancellation that voids it (a PENDING payment past its hold is never claimed)
    if (row.status === 'CHARGING' && row.charge_before && clock() >= new Date(row.charge_before)) {
      return { outcome: 'failed', error: 'the hold ended before the charge started: not charged' };
    }
    return row.status === 'CHARGING'
      ? processor.charge({ reference: reference(row), amount: row.amount, paymentMethod: row.payment_method ?? '' }) // none only on rows voided at creation, never charged
      : processor.refund({ reference: reference(row) });
  }

  /** The call, traced (tracing on): a span in the trace that asked for it; its events are stamped with that span. */
  async function call(row: PaymentRow): Promise<{ result: ChargeResult | RefundResult; traceparent?: string }> {
    if (!options.tracer) return { result: await callProcessor(row) };
    const name = row.status === 'CHARGING' ? 'payment charge' : 'payment refund';
    const attributes = {
      'airline.reservation_id': row.reservation_id,
      'airline.payment_id': Number(row.id),
      'airline.attempt': row.attempts,
    };
    return inSpan(options.tracer, name, { attributes, parent: contextFromTraceparent(row.trace_parent) }, async (span) => {
      const result = await callProcessor(row);
      span?.setAttribute('airline.outcome', result.outcome);
      return { result, traceparent: currentTraceparent() };
    });
  }

  /** Records answers and their events in one transaction: each answer is a command to its payment's decider. */
  async function record(tx: Tx, answers: Answer[]) {
    const outgoing: IntegrationEvent[] = [];
    const uow = new UnitOfWork(tx);
    // re-read, locked: a cancel may have arrived during the calls
    await lockPayments(
      uow,
      answers.map((a) => Number(a.row.id)),
    );
    for (const { row, result, traceparent } of answers) {
      const handled = await handleCommand(
        paymentDecider,
        {
          store: {
            load: async (u, id) => {
              const current = await lockedPayment(u, id);
              return current && toPayment(current);
            },
            save(u, id, _state, events) {
              for (const event of events) {
                if (event.type !== 'Answered') continue;
                const t = event.transition;
                const nextAttemptAt = t.retry
                  ? new Date(clock().getTime() + backoffMs(row.attempts, 200, 30_000))
                  : t.status === 'REFUND_PENDING'
                    ? new Date(0)
                    : undefined;
                const lastError = result.outcome === 'failed' ? result.error : (t.contradiction?.error ?? null);
                stagePaymentChange(u, id, {
                  status: t.status,
                  declineReason: t.declineReason,
                  authorizationCode: t.authorizationCode,
                  nextAttemptAt,
                  lastError,
                  contradictions: t.contradiction?.count,
                });
              }
            },
          },
          emit(_id, events) {
            for (const event of events)
              if (event.type === 'Answered')
                outgoing.push(
                  ...stampEvents(
                    event.transition.events,
                    { correlationId: String(row.reservation_id), causationId: `payment-${row.id}`, traceparent },
                    clock,
                  ),
                );
          },
        },
        uow,
        Number(row.id),
        { type: 'RecordAnswer', claim: { status: row.status, attempts: row.attempts }, result },
      );
      // refused: the claim this call was made under is no longer the payment's latest (it ran out and the
      // payment was claimed again, or that call's answer is recorded already): that call records, not this one
      if ('refused' in handled) continue;
      const t = handled.events[0]?.type === 'Answered' ? handled.events[0].transition : undefined;
      if (result.outcome === 'failed')
        log.warn(
          { reservationId: row.reservation_id, correlationId: String(row.reservation_id), attempt: row.attempts, error: result.error },
          'processor call failed; will retry',
        );
      if (t?.contradiction && t.status === 'REFUND_FAILED') {
        log.error(
          { reservationId: row.reservation_id, correlationId: String(row.reservation_id), paymentId: row.id, error: t.contradiction.error },
          'refund parked as REFUND_FAILED: the processor contradicts the payment record',
        );
      } else if (t?.contradiction) {
        log.warn(
          { reservationId: row.reservation_id, correlationId: String(row.reservation_id), paymentId: row.id, error: t.contradiction.error },
          'refund answer contradicts the payment record; will retry',
        );
      }
    }
    await uow.flush();
    insertIntoOutbox(tx, outgoing);
  }

  /** Each answer as it comes: those that come while a recording is under way go in the next one together. */
  const recordAnswer = groupCommit<Answer, void>({
    db,
    async run(tx, answers) {
      await record(tx, answers);
      return answers.map(() => ({ ok: undefined }));
    },
    onCommit: () => onCommit(),
    onGroupFailed: (err, size) => log.warn({ err, size }, 'recording payment answers together failed; each is recorded alone'),
  });

  const failed = (err: unknown) => log.warn({ err }, 'payment worker failed; the claimed payments are retried when their lease runs out');
  /** Calls under way (their answers not recorded yet). */
  const inFlight = new Set<Promise<void>>();
  let stopped = false;

  /** Calls waiting for their turn (first come, first called), and how many are under way. */
  const turns: Array<() => void> = [];
  let calling = 0;
  async function inTurn<T>(fn: () => Promise<T>): Promise<T> {
    if (calling < maxCalls) calling++;
    else await new Promise<void>((resolve) => turns.push(resolve)); // its turn is handed over by a call that ended
    try {
      return await fn();
    } finally {
      const next = turns.shift();
      if (next) next();
      else calling--;
    }
  }

  /** Calls the processor for one claimed payment in its turn and records its answer; never throws (a failed recording leaves the lease to run out). */
  function go(row: PaymentRow): Promise<void> {
    // processor calls never throw (failures are results)
    const going: Promise<void> = inTurn(() => call(row))
      .then((answer) => recordAnswer({ row, ...answer }))
      .catch(failed)
      .finally(() => inFlight.delete(going));
    inFlight.add(going);
    return going;
  }

  const claim = (limit: number) => claimDuePayments(db, clock(), leaseMs, limit); // one statement: its own transaction

  async function runOnce(): Promise<number> {
    const rows = await claim(batchSize);
    await Promise.all(rows.map(go));
    return rows.length;
  }

  /** The loop's pass: claims what is due (as much as there is room for) and leaves the calls to go. */
  async function claimAndGo(): Promise<number> {
    if (inFlight.size >= batchSize) {
      await Promise.race(inFlight); // full: look again once a call has been recorded
      return 1;
    }
    const rows = await claim(batchSize - inFlight.size);
    for (const row of rows) void go(row);
    return rows.length;
  }

  const loop = passLoop(claimAndGo, { idleMs, onError: failed });

  return {
    name: 'payment-worker',
    kick: loop.kick,
    take(rows) {
      // once stopped, the payments keep their claim: charged after it runs out (the next start's passes)
      if (!stopped) for (const row of rows) void go(row);
    },
    leaseUntil: (now) => new Date(now.getTime() + leaseMs),
    runOnce,
    start: loop.start,
    async stop() {
      stopped = true;
      await loop.stop();
      while (inFlight.size > 0) await Promise.all(inFlight); // the answers of calls under way are recorded
    },
  };
}
