// The payment worker does not hold a payment back behind the answers of earlier ones: a payment that
// comes due while the processor is still answering another is charged at once, and when the worker
// stops, the answers of calls under way are still recorded. It sends the processor a bounded number of
// calls at once, so that none waits there until its timeout.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteDatabase, migrate, type Database } from '@airline/database';
import { messagingMigration } from '@airline/outbox';
import { eventually } from '@airline/testing';
import { paymentService } from '../src/index.js';
import type { ChargeResult } from '../src/payment.js';
import type { PaymentProcessor } from '../src/processor.js';
import { paymentWorker } from '../src/payment-worker.js';
import { openPayment } from '../src/repository.js';

let db: Database;
beforeAll(async () => {
  db = await createPgliteDatabase();
  await migrate(db, [messagingMigration, ...paymentService.migrations]);
});
afterAll(async () => {
  await db?.close();
});

/** A processor that answers each charge only when the spec says so. */
function heldProcessor() {
  const waiting = new Map<string, (r: ChargeResult) => void>();
  const processor: PaymentProcessor = {
    charge: ({ reference }) => new Promise<ChargeResult>((resolve) => waiting.set(reference, resolve)),
    refund: async () => ({ outcome: 'refunded' as const }),
    state: () => 'closed',
    close: async () => {},
  } as PaymentProcessor;
  return { processor, waiting };
}

const open = (reservationId: number, holdMs = 60_000) =>
  db.transaction(async (tx) =>
    openPayment(tx, {
      reservationId,
      customerId: 1,
      amount: 100,
      paymentMethod: 'pm_card_visa',
      cardLast4: '4242',
      cardBrand: 'visa',
      chargeBefore: new Date(Date.now() + holdMs).toISOString(),
    }),
  );

const statusOf = async (reservationId: number) =>
  (await db.query<{ status: string }>('SELECT status FROM payments WHERE reservation_id = $1', [reservationId])).rows[0]?.status;

describe('the payment worker', () => {
  it('charges a payment that comes due while an earlier charge waits for its answer, and records both', async () => {
    const { processor, waiting } = heldProcessor();
    const worker = paymentWorker(
      db,
      processor,
      () => new Date(),
      () => {},
      pino({ level: 'silent' }),
      { idleMs: 60_000 },
    );
    worker.start();
    await open(1);
    worker.kick();
    await eventually(
      async () => waiting.has('reservation-1'),
      (asked) => asked,
    );
    // the first charge has no answer yet: the second is asked for all the same
    await open(2);
    worker.kick();
    await eventually(
      async () => waiting.has('reservation-2'),
      (asked) => asked,
    );
    waiting.get('reservation-2')!({ outcome: 'approved', authorizationCode: 'B2' });
    await eventually(
      () => statusOf(2),
      (s) => s === 'APPROVED',
    );
    expect(await statusOf(1)).toBe('CHARGING');
    // stopping waits for the call under way and records its answer
    const stopped = worker.stop();
    waiting.get('reservation-1')!({ outcome: 'approved', authorizationCode: 'A1' });
    await stopped;
    expect(await statusOf(1)).toBe('APPROVED');
  });

  it('has at most maxCalls processor calls under way; the others are called in their turn, first come first called', async () => {
    const { processor, waiting } = heldProcessor();
    const asked = () => [...waiting.keys()];
    const worker = paymentWorker(
      db,
      processor,
      () => new Date(),
      () => {},
      pino({ level: 'silent' }),
      { idleMs: 60_000, maxCalls: 2 },
    );
    for (const id of [11, 12, 13, 14]) await open(id);
    worker.start();
    worker.kick();
    await eventually(
      async () => asked(),
      (a) => a.length === 2,
    );
    expect(asked()).toEqual(['reservation-11', 'reservation-12']);
    waiting.get('reservation-12')!({ outcome: 'approved', authorizationCode: 'C12' });
    await eventually(
      async () => asked(),
      (a) => a.length === 3,
    );
    expect(asked()[2]).toBe('reservation-13');
    const stopped = worker.stop();
    for (const id of [11, 13]) waiting.get(`reservation-${id}`)!({ outcome: 'approved', authorizationCode: `C${id}` });
    await eventually(
      async () => asked(),
      (a) => a.length === 4,
    );
    waiting.get('reservation-14')!({ outcome: 'declined', reason: 'card_declined' });
    await stopped;
    expect(await Promise.all([11, 12, 13, 14].map(statusOf))).toEqual(['APPROVED', 'APPROVED', 'APPROVED', 'DECLINED']);
  });

  it('never starts a charge after its hold ended, even one that waited for its turn: the payment stays uncharged', async () => {
    const { processor, waiting } = heldProcessor();
    const worker = paymentWorker(
      db,
      processor,
      () => new Date(),
      () => {},
      pino({ level: 'silent' }),
      { idleMs: 60_000, maxCalls: 1 },
    );
    worker.start();
    await open(21);
    worker.kick();
    await eventually(
      async () => waiting.has('reservation-21'),
      (asked) => asked,
    );
    // the one call under way holds back the next payment, whose hold ends while it waits its turn
    await open(22, 300);
    worker.kick();
    await eventually(
      () => statusOf(22),
      (s) => s === 'CHARGING',
    );
    await new Promise((resolve) => setTimeout(resolve, 400));
    waiting.get('reservation-21')!({ outcome: 'approved', authorizationCode: 'C21' });
    await eventually(
      () => statusOf(22),
      (s) => s === 'PENDING',
    );
    await worker.stop();
    expect(waiting.has('reservation-22')).toBe(false);
    expect(await statusOf(21)).toBe('APPROVED');
  });
});
