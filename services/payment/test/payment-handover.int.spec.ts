// A payment asked for by SeatsReserved is opened already claimed by the consumer's transaction and handed
// to the payment worker once that transaction has committed: it is charged at once, without a claim or a
// pass of the worker's loop. What must still hold: nothing is charged that must not be (a hold that has
// ended, a reservation cancelled first or in the same transaction, a redelivery), and a payment whose
// worker died before charging it is charged after its claim runs out, once, with one PaymentApproved.
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPgliteDatabase, migrate, UnitOfWork, type Database, type Tx } from '@airline/database';
import { messagingMigration, type EventHandlers, type HandlerContext } from '@airline/outbox';
import { eventually } from '@airline/testing';
import { paymentHandlers } from '../src/handlers.js';
import { paymentService } from '../src/index.js';
import type { ChargeResult } from '../src/payment.js';
import type { PaymentProcessor } from '../src/processor.js';
import { paymentWorker, type PaymentWorker } from '../src/payment-worker.js';

let db: Database;
beforeAll(async () => {
  db = await createPgliteDatabase();
  await migrate(db, [messagingMigration, ...paymentService.migrations]);
});
afterAll(async () => {
  await db?.close();
});
beforeEach(async () => {
  await db.exec('TRUNCATE payments, outbox');
});

const silent = pino({ level: 'silent' });

/** A processor that records what it was asked, and answers at once or when the spec says so. */
function processor(options: { hold?: boolean } = {}) {
  const asked: string[] = [];
  const waiting = new Map<string, (r: ChargeResult) => void>();
  const p: PaymentProcessor = {
    charge: ({ reference }) => {
      asked.push(reference);
      if (!options.hold) return Promise.resolve({ outcome: 'approved', authorizationCode: 'OK1' });
      return new Promise<ChargeResult>((resolve) => waiting.set(reference, resolve));
    },
    refund: async () => ({ outcome: 'refunded' as const }),
    state: () => 'closed',
    close: async () => {},
  };
  return { processor: p, asked, waiting };
}

/** Events as the payment consumer hands them to its handlers, several in one transaction; the after-commit work runs once it committed. */
async function handle(
  handlers: EventHandlers,
  now: Date,
  ...events: Array<{ type: 'SeatsReserved' | 'ReservationCancelled'; data: Record<string, unknown> }>
) {
  const after = new Set<() => void>();
  await db.transaction(async (tx: Tx) => {
    const uow = new UnitOfWork(tx);
    for (const event of events) {
      const ctx = {
        uow,
        tx,
        now,
        log: silent,
        emit: async () => {},
        emitFor: async () => {},
        afterCommit: (fn: () => void) => void after.add(fn),
      } as unknown as HandlerContext;
      await (handlers[event.type] as (e: unknown, c: HandlerContext) => Promise<void>)(
        { ...event, eventId: crypto.randomUUID(), correlationId: String(event.data.reservationId) },
        ctx,
      );
    }
    await uow.flush();
  });
  for (const fn of after) fn();
}

const seatsReserved = (reservationId: number, holdExpiresAt: Date) => ({
  type: 'SeatsReserved' as const,
  data: {
    reservationId,
    customerId: 1,
    amount: 100,
    paymentMethod: 'pm_card_visa',
    cardLast4: '4242',
    cardBrand: 'visa',
    holdExpiresAt: holdExpiresAt.toISOString(),
  },
});
const cancelled = (reservationId: number) => ({
  type: 'ReservationCancelled' as const,
  data: { reservationId, customerId: 1, amount: 100 },
});

const paymentOf = async (reservationId: number) =>
  (await db.query<{ status: string; attempts: number }>('SELECT status, attempts FROM payments WHERE reservation_id = $1', [reservationId]))
    .rows[0];
const approvals = async (reservationId: number) =>
  (
    await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox WHERE type = 'PaymentApproved' AND (payload->'data'->>'reservationId')::int = $1`,
      [reservationId],
    )
  ).rows[0]!.n;

/** A worker whose loop never runs (not started): whatever it charges, it was handed. */
const handOnly = (p: PaymentProcessor, clock = () => new Date()) =>
  paymentWorker(db, p, clock, () => {}, silent, { idleMs: 60_000, leaseMs: 30_000 });

describe('a payment handed over by the consumer', () => {
  it('is charged once the transaction that opened it has committed, with no pass of the worker', async () => {
    const { processor: p, asked } = processor();
    const worker = handOnly(p);
    const now = new Date();
    await handle(
      paymentHandlers(worker),
      now,
      seatsReserved(1, new Date(now.getTime() + 60_000)),
      seatsReserved(2, new Date(now.getTime() + 60_000)),
    );
    await eventually(
      () => paymentOf(2),
      (row) => row?.status === 'APPROVED',
    );
    expect(await paymentOf(1)).toMatchObject({ status: 'APPROVED', attempts: 1 });
    expect(asked.sort()).toEqual(['reservation-1', 'reservation-2']);
    expect([await approvals(1), await approvals(2)]).toEqual([1, 1]);
    await worker.stop();
  });

  it('is not charged when its hold has already ended: it waits PENDING, as the worker would leave it', async () => {
    const { processor: p, asked } = processor();
    const worker = handOnly(p);
    const now = new Date();
    await handle(paymentHandlers(worker), now, seatsReserved(3, new Date(now.getTime() - 1_000)));
    await worker.stop(); // every call under way is recorded
    expect(await paymentOf(3)).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect(asked).toEqual([]);
  });

  it('is not opened, nor charged, when the cancel came first, nor again on a redelivery', async () => {
    const { processor: p, asked } = processor();
    const worker = handOnly(p);
    const now = new Date();
    const handlers = paymentHandlers(worker);
    await handle(handlers, now, cancelled(4));
    await handle(handlers, now, seatsReserved(4, new Date(now.getTime() + 60_000)));
    await handle(handlers, now, seatsReserved(5, new Date(now.getTime() + 60_000)));
    await eventually(
      () => paymentOf(5),
      (row) => row?.status === 'APPROVED',
    );
    await handle(handlers, now, seatsReserved(5, new Date(now.getTime() + 60_000))); // the same payment asked for again
    await worker.stop();
    expect(await paymentOf(4)).toMatchObject({ status: 'VOIDED' });
    expect(asked).toEqual(['reservation-5']);
    expect(await approvals(5)).toBe(1);
  });

  it('is voided, never charged, when the reservation is cancelled in the same transaction', async () => {
    const { processor: p, asked } = processor();
    const worker = handOnly(p);
    const now = new Date();
    await handle(
      paymentHandlers(worker),
      now,
      seatsReserved(6, new Date(now.getTime() + 60_000)),
      cancelled(6),
      seatsReserved(7, new Date(now.getTime() + 60_000)),
    );
    await eventually(
      () => paymentOf(7),
      (row) => row?.status === 'APPROVED',
    );
    await worker.stop();
    expect(await paymentOf(6)).toMatchObject({ status: 'VOIDED' });
    expect(asked).toEqual(['reservation-7']);
  });
});

describe('a payment whose worker died before its answer was recorded', () => {
  it('is claimed again once its claim has run out, charged, and recorded once: the late answer of the first claim is not recorded over it', async () => {
    const first = processor({ hold: true });
    let now = new Date();
    const dying: PaymentWorker = handOnly(first.processor, () => now);
    await handle(paymentHandlers(dying), now, seatsReserved(8, new Date(now.getTime() + 600_000)));
    await eventually(
      async () => first.waiting.has('reservation-8'),
      (asked) => asked,
    );

    // 31 s later its claim has run out: another worker (a restart, another replica) claims it and charges
    now = new Date(now.getTime() + 31_000);
    const second = processor();
    const next = handOnly(second.processor, () => now);
    expect(await next.runOnce()).toBe(1);
    expect(second.asked).toEqual(['reservation-8']);
    expect(await paymentOf(8)).toMatchObject({ status: 'APPROVED', attempts: 2 });

    // the first call's answer comes at last: the payment is the second claim's, nothing more is recorded
    first.waiting.get('reservation-8')!({ outcome: 'approved', authorizationCode: 'LATE' });
    await dying.stop();
    expect(await approvals(8)).toBe(1);
    expect(await paymentOf(8)).toMatchObject({ status: 'APPROVED', attempts: 2 });
  });

  it('with nothing handed over (the process died between the commit and the hand-over), is charged after its claim runs out, once', async () => {
    let now = new Date();
    const notTaking = { kick() {}, take() {}, leaseUntil: (at: Date) => new Date(at.getTime() + 30_000) };
    await handle(paymentHandlers(notTaking), now, seatsReserved(9, new Date(now.getTime() + 600_000)));
    expect(await paymentOf(9)).toMatchObject({ status: 'CHARGING', attempts: 1 });

    const { processor: p, asked } = processor();
    const worker = handOnly(p, () => now);
    expect(await worker.runOnce()).toBe(0); // still claimed: nobody charges it twice at once
    now = new Date(now.getTime() + 31_000);
    expect(await worker.runOnce()).toBe(1);
    expect(await worker.runOnce()).toBe(0);
    expect(asked).toEqual(['reservation-9']);
    expect(await paymentOf(9)).toMatchObject({ status: 'APPROVED' });
    expect(await approvals(9)).toBe(1);
  });
});
