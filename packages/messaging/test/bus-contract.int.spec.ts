// The messaging port's promises, held by every adapter alike: the embedded log (as the embedded runtime
// runs it, and with its event types delivered apart, as tests may run it) and NATS JetStream on the
// machine's broker. What a consumer may rely on: every event comes at least once, each type in the order
// it was published; a failed event comes again, its attempt counted, without holding back the others;
// the bus never gives up on an event (the consumer parks a poison one as a dead letter); a consumer that
// stops resumes where it stood. What it may not rely on: the order between event types (JetStream has
// one durable consumer per type, so types overtake each other).
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { envelope, type IntegrationEvent } from '@airline/contracts';
import { createPgliteDatabase, migrate, type Database, type Tx } from '@airline/database';
import { deleteStream, eventually, NATS_URL, uniqueName } from '@airline/testing';
import { createConsumer, listDeadLetters, messagingMigration } from '@airline/outbox';
import {
  createEmbeddedEventBus,
  createJetStreamEventBus,
  type Delivery,
  type DeliveryOutcome,
  type EventBus,
  type EventLogReader,
} from '../src/index.js';

const cleanup: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

type Bus = EventBus & EventLogReader;
interface Adapter {
  /** A bus on this adapter's log, the same each time (another replica, or the process after a restart). */
  open(): Promise<Bus>;
  /** Whether one event type can overtake another (a type's handler busy does not hold back the others). */
  typesOvertake: boolean;
  /**
   * Whether a retried event's attempt count survives a restart of its consumer. The embedded log keeps
   * it in consumer_retry; NATS 2.9 may count again from 1 an event it was redelivering while the
   * consumer closed, so a poison event can get maxAttempts more tries after a restart before it is
   * parked (it is still parked, never dropped).
   */
  keepsAttemptsAcrossRestart: boolean;
}

// retries come back soon (the backoff is the adapter's: here a fixed 30 ms)
const backoff = () => 30;

const adapters: Record<string, () => Promise<Adapter>> = {
  'the embedded log': async () => embedded(false),
  'the embedded log, types delivered apart': async () => embedded(true),
  'NATS JetStream': async () => {
    const prefix = uniqueName('contract');
    cleanup.push(() => deleteStream(prefix));
    return {
      typesOvertake: true,
      keepsAttemptsAcrossRestart: false,
      async open() {
        // a small stream: the broker reserves each stream's max bytes, and other suites share it
        const bus = await createJetStreamEventBus({ servers: NATS_URL, prefix, backoff, maxBytes: 64 * 1024 ** 2 });
        cleanup.push(() => bus.close());
        return bus;
      },
    };
  },
};

async function embedded(reorderTypes: boolean): Promise<Adapter> {
  const db = await createPgliteDatabase();
  cleanup.push(() => db.close());
  return {
    typesOvertake: reorderTypes,
    keepsAttemptsAcrossRestart: true,
    async open() {
      const bus = await createEmbeddedEventBus(db, { lingerMs: 0, pollMs: 20, backoff, reorderTypes });
      cleanup.push(() => bus.close());
      return bus;
    },
  };
}

const meta = (correlationId: string) => ({ eventId: randomUUID(), occurredAt: new Date().toISOString(), correlationId, causationId: null });
const soldOut = (reservationId: number): IntegrationEvent =>
  envelope(
    { type: 'SeatsSoldOut', data: { reservationId, flightId: 1, seatQty: 1, remainingSeatsCount: 0, reason: 'SOLD_OUT' } },
    meta(String(reservationId)),
  );
const approved = (reservationId: number): IntegrationEvent =>
  envelope(
    { type: 'PaymentApproved', data: { reservationId, paymentId: reservationId, amount: 100, authorizationCode: 'A1' } },
    meta(String(reservationId)),
  );
const declined = (reservationId: number): IntegrationEvent =>
  envelope(
    { type: 'PaymentDeclined', data: { reservationId, paymentId: reservationId, amount: 100, reason: 'card_declined' } },
    meta(String(reservationId)),
  );

const types = ['SeatsSoldOut', 'PaymentApproved', 'PaymentDeclined'] as const;
const idOf = (e: IntegrationEvent) => (e.data as { reservationId: number }).reservationId;

/** A subscription that records every delivery and answers with `decide`. */
function recorder(consumer: string, decide: (d: Delivery) => DeliveryOutcome | Promise<DeliveryOutcome> = () => 'done') {
  const seen: Delivery[] = [];
  return {
    seen,
    /** Reservation ids in the order they were delivered (redeliveries included). */
    ids: () => seen.map((d) => idOf(d.event)),
    sub: {
      consumer,
      eventTypes: types,
      async handle(batch: Delivery[]) {
        seen.push(...batch);
        return Promise.all(batch.map(decide));
      },
    },
  };
}

/** Waits until the consumer has every event of its types and none is waiting for a retry. */
async function caughtUp(bus: Bus, consumer: string) {
  await eventually(
    () => bus.consumerLag({ consumer, eventTypes: types }),
    (lag) => lag.length === types.length && lag.every((l) => l.pending === 0 && l.retrying === 0),
  );
}

describe.each(Object.keys(adapters))('the messaging port on %s', (name) => {
  it('delivers every event once, each type in the order it was published; an event published again is not delivered again', async () => {
    const adapter = await adapters[name]!();
    const bus = await adapter.open();
    const r = recorder('reader');
    await bus.subscribe(r.sub);
    const make = [soldOut, approved, declined];
    const events = Array.from({ length: 90 }, (_, i) => make[i % 3]!(i + 1));
    for (let i = 0; i < events.length; i += 7) await bus.publish(events.slice(i, i + 7));
    await bus.publish([events[0]!, events[89]!]); // a relay that publishes again after a crash
    await eventually(
      async () => r.seen.length,
      (n) => n >= events.length,
    );
    await caughtUp(bus, 'reader');

    expect(r.ids().sort((a, b) => a - b)).toEqual(events.map(idOf));
    for (const type of types) {
      const published = events.filter((e) => e.type === type).map(idOf);
      expect(r.seen.filter((d) => d.event.type === type).map((d) => idOf(d.event))).toEqual(published);
    }
    expect(r.seen.every((d) => d.attempt === 1)).toBe(true);
  });

  it('lets event types overtake each other where the adapter does: a type whose handler is busy holds back no other type', async () => {
    const adapter = await adapters[name]!();
    if (!adapter.typesOvertake) return; // the embedded runtime's one loop: types come in log order
    const bus = await adapter.open();
    let release: () => void = () => {};
    const busy = new Promise<void>((resolve) => (release = resolve));
    const r = recorder('overtaken', async (d) => {
      if (d.event.type === 'SeatsSoldOut') await busy;
      return 'done';
    });
    await bus.subscribe(r.sub);
    await bus.publish([soldOut(1)]);
    await eventually(
      async () => r.ids(),
      (ids) => ids.includes(1),
    ); // being handled, not done
    await bus.publish([approved(2), declined(3), soldOut(4)]);
    // published after it, of other types, handled while it is not done
    await eventually(
      async () => r.ids(),
      (ids) => ids.includes(2) && ids.includes(3),
    );
    expect(r.ids()).not.toContain(4); // its own type waits behind it
    release();
    await eventually(
      async () => r.ids(),
      (ids) => ids.includes(4),
    );
    await caughtUp(bus, 'overtaken');
    expect(r.ids().sort()).toEqual([1, 2, 3, 4]);
  });

  it('delivers a failed event again, its attempt counted, until the handler is done with it; the events behind it pass', async () => {
    const adapter = await adapters[name]!();
    const bus = await adapter.open();
    const r = recorder('retrying', (d) => (idOf(d.event) === 2 && d.attempt < 3 ? 'retry' : 'done'));
    await bus.subscribe(r.sub);
    await bus.publish([soldOut(1), soldOut(2), soldOut(3), approved(4)]);
    await eventually(
      async () => r.seen.length,
      (n) => n >= 6,
    );
    await caughtUp(bus, 'retrying');

    const attempts = (id: number) => r.seen.filter((d) => idOf(d.event) === id).map((d) => d.attempt);
    expect(attempts(2)).toEqual([1, 2, 3]);
    for (const id of [1, 3, 4]) expect(attempts(id)).toEqual([1]);
    // the ones behind it were not held back until it succeeded
    const firstOf = (id: number) => r.ids().indexOf(id);
    expect(firstOf(3)).toBeLessThan(r.seen.findIndex((d) => idOf(d.event) === 2 && d.attempt === 3));
  });

  it('delivers a batch again, attempts counted, when the handler throws', async () => {
    const adapter = await adapters[name]!();
    const bus = await adapter.open();
    let calls = 0;
    const seen: Delivery[] = [];
    await bus.subscribe({
      consumer: 'throwing',
      eventTypes: types,
      async handle(batch) {
        seen.push(...batch);
        if (++calls === 1) throw new Error('the database is down');
        return batch.map(() => 'done' as const);
      },
    });
    await bus.publish([soldOut(1)]);
    await eventually(
      async () => seen.length,
      (n) => n >= 2,
    );
    await caughtUp(bus, 'throwing');
    expect(seen.map((d) => [idOf(d.event), d.attempt])).toEqual([
      [1, 1],
      [1, 2],
    ]);
  });

  it('never gives up on a poison event: it comes again and again until the consumer parks it as a dead letter, and the others pass', async () => {
    const adapter = await adapters[name]!();
    const bus = await adapter.open();
    const db: Database = await createPgliteDatabase();
    cleanup.push(() => db.close());
    await migrate(db, [messagingMigration]);
    await db.exec('CREATE TABLE effects (reservation_id int NOT NULL)');
    const effect = (tx: Tx, reservationId: number) => tx.query('INSERT INTO effects VALUES ($1)', [reservationId]);
    const deliveries: number[] = [];
    const consumer = createConsumer({
      db,
      consumer: 'poisoned',
      maxAttempts: 4,
      handlers: {
        async SeatsSoldOut(event, { tx }) {
          if (event.data.reservationId === 13) throw new Error('cannot handle reservation 13');
          await effect(tx, event.data.reservationId);
        },
        async PaymentApproved(event, { tx }) {
          await effect(tx, event.data.reservationId);
        },
      },
    });
    await bus.subscribe({
      ...consumer,
      async handle(batch) {
        for (const d of batch) if (idOf(d.event) === 13) deliveries.push(d.attempt);
        return consumer.handle(batch);
      },
    });
    await bus.publish([soldOut(12), soldOut(13), approved(14), soldOut(15)]);
    const parked = await eventually(
      () => listDeadLetters(db),
      (dl) => dl.length === 1,
    );
    await eventually(
      () => bus.consumerLag({ consumer: 'poisoned', eventTypes: ['SeatsSoldOut', 'PaymentApproved'] }),
      (lag) => lag.length === 2 && lag.every((l) => l.pending === 0 && l.retrying === 0),
    );
    expect(parked).toMatchObject([
      { consumer: 'poisoned', eventType: 'SeatsSoldOut', attempts: 4, error: 'Error: cannot handle reservation 13' },
    ]);
    expect(deliveries).toEqual([1, 2, 3, 4]);
    // each effect committed once (a batch that failed on the poison event was rolled back and handled one by one)
    expect(
      (await db.query<{ reservation_id: number }>('SELECT reservation_id FROM effects ORDER BY 1')).rows.map((r) => r.reservation_id),
    ).toEqual([12, 14, 15]);
  });

  it('resumes a consumer that stopped where it stood: nothing handled comes again; what was published meanwhile, and a retry still due, come', async () => {
    const adapter = await adapters[name]!();
    const first = await adapter.open();
    const before = recorder('restarted', (d) => (idOf(d.event) === 2 ? 'retry' : 'done'));
    await first.subscribe(before.sub);
    await first.publish([soldOut(1), approved(2)]);
    await eventually(
      async () => before.ids(),
      (ids) => ids.includes(1) && ids.includes(2),
    );
    await first.close();

    const meanwhile = await adapter.open(); // another process publishes while no consumer runs
    await meanwhile.publish([declined(3), soldOut(4)]);
    const second = await adapter.open();
    const after = recorder('restarted');
    await second.subscribe(after.sub);
    await eventually(
      async () => after.ids(),
      (ids) => [2, 3, 4].every((id) => ids.includes(id)),
    );
    await caughtUp(second, 'restarted');

    expect(after.ids().sort()).toEqual([2, 3, 4]);
    const retried = after.seen.find((d) => idOf(d.event) === 2)!;
    if (adapter.keepsAttemptsAcrossRestart) expect(retried.attempt).toBeGreaterThan(1);
    expect(after.seen.filter((d) => idOf(d.event) !== 2).every((d) => d.attempt === 1)).toBe(true);
  });
});
