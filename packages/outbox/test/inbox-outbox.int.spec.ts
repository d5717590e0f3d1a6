// The delivery guarantees on a real (embedded) PostgreSQL: outbox atomicity, inbox idempotency,
// retries, dead letters and redrive, and the durable consumer position of the embedded log.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { envelope, type IntegrationEvent } from '@airline/contracts';
import { createPgliteDatabase, migrate, type Database } from '@airline/database';
import { createEmbeddedEventBus, type Delivery, type EventBus } from '@airline/messaging';
import { eventually } from '@airline/testing';
import {
  appendToOutbox,
  createConsumer,
  createOutboxRelay,
  listDeadLetters,
  messagingMigration,
  redriveDeadLetters,
} from '../src/index.js';

const opened: Database[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function serviceDb(dir?: string) {
  const db = await createPgliteDatabase(dir);
  opened.push(db);
  await migrate(db, [
    messagingMigration,
    { name: '001_effects.sql', sql: 'CREATE TABLE effects (reservation_id int PRIMARY KEY, times int NOT NULL)' },
  ]);
  return db;
}

let n = 0;
function seatsSoldOut(reservationId: number): IntegrationEvent {
  n++;
  return envelope(
    { type: 'SeatsSoldOut', data: { reservationId, flightId: 1, seatQty: 1, remainingSeatsCount: 0, reason: 'SOLD_OUT' } },
    {
      eventId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      occurredAt: new Date().toISOString(),
      correlationId: String(reservationId),
      causationId: null,
    },
  );
}

/** A consumer whose effect counts how often it ran per reservation; reservation 13 fails while `broken`. */
function countingConsumer(db: Database, state = { broken: false }, maxAttempts = 3) {
  return createConsumer({
    db,
    consumer: 'test',
    maxAttempts,
    handlers: {
      async SeatsSoldOut(event, { tx }) {
        if (state.broken && event.data.reservationId === 13) throw new Error('cannot handle reservation 13');
        await tx.query('INSERT INTO effects VALUES ($1, 1) ON CONFLICT (reservation_id) DO UPDATE SET times = effects.times + 1', [
          event.data.reservationId,
        ]);
      },
    },
  });
}

const times = async (db: Database) =>
  Object.fromEntries(
    (await db.query<{ reservation_id: number; times: number }>('SELECT * FROM effects ORDER BY 1')).rows.map((r) => [
      r.reservation_id,
      r.times,
    ]),
  );
const once = (event: IntegrationEvent, attempt = 1): Delivery => ({ event, attempt });

describe('inbox', () => {
  it('applies an event delivered twice only once (separately or in one batch)', async () => {
    const db = await serviceDb();
    const consumer = countingConsumer(db);
    const a = seatsSoldOut(1);
    const b = seatsSoldOut(2);
    expect(await consumer.handle([once(a)])).toEqual(['done']);
    expect(await consumer.handle([once(a, 2)])).toEqual(['done']);
    expect(await consumer.handle([once(b), once(b), once(a)])).toEqual(['done', 'done', 'done']);
    expect(await times(db)).toEqual({ 1: 1, 2: 1 });
    expect((await db.query('SELECT * FROM inbox')).rowCount).toBe(2);
  });

  it('isolates a failing event from its batch, retries it, then parks it as a dead letter; redrive applies it once', async () => {
    const db = await serviceDb();
    const state = { broken: true };
    const consumer = countingConsumer(db, state, 3);
    const good = seatsSoldOut(12);
    const poison = seatsSoldOut(13);
    expect(await consumer.handle([once(good), once(poison)])).toEqual(['done', 'retry']);
    expect(await consumer.handle([once(poison, 2)])).toEqual(['retry']);
    expect(await listDeadLetters(db)).toEqual([]);
    expect(await consumer.handle([once(poison, 3)])).toEqual(['done']); // parked: acknowledged, not dropped
    const parked = await listDeadLetters(db);
    expect(parked).toMatchObject([
      {
        consumer: 'test',
        eventId: poison.eventId,
        eventType: 'SeatsSoldOut',
        attempts: 3,
        error: expect.stringContaining('reservation 13'),
      },
    ]);
    expect(await times(db)).toEqual({ 12: 1 });

    expect(await redriveDeadLetters(db, [consumer])).toMatchObject([{ outcome: 'failed' }]); // still broken: stays parked
    expect(await listDeadLetters(db)).toHaveLength(1);
    state.broken = false;
    expect(await redriveDeadLetters(db, [consumer])).toMatchObject([{ eventId: poison.eventId, outcome: 'redriven' }]);
    expect(await listDeadLetters(db)).toEqual([]);
    expect(await redriveDeadLetters(db, [consumer])).toEqual([]);
    expect(await times(db)).toEqual({ 12: 1, 13: 1 });
  });
});

describe('outbox', () => {
  it('publishes nothing when the transaction that wrote it rolls back', async () => {
    const db = await serviceDb();
    const bus = await createEmbeddedEventBus(await serviceDb());
    await expect(
      db.transaction(async (tx) => {
        appendToOutbox(tx, [{ type: 'FlightCancelled', data: { flightId: 1, flightCode: 'X' } }], {
          correlationId: 'flight-1',
          causationId: null,
        });
        await tx.query('SELECT count(*) FROM outbox'); // the enqueued insert has run
        throw new Error('business rule failed after the write');
      }),
    ).rejects.toThrow();
    const relay = createOutboxRelay(db, bus);
    await relay.drain();
    expect(await bus.read({})).toEqual([]);
    await bus.close();
  });

  it('publishes a committed event once even when the relay publishes it again after a crash', async () => {
    const db = await serviceDb();
    const bus = await createEmbeddedEventBus(await serviceDb());
    const [event] = await db.transaction((tx) =>
      appendToOutbox(tx, [{ type: 'FlightCancelled', data: { flightId: 1, flightCode: 'X' } }], {
        correlationId: 'flight-1',
        causationId: null,
      }),
    );
    await bus.publish([event!]); // a relay that published, then died before deleting the row
    await createOutboxRelay(db, bus).drain();
    expect((await bus.read({})).map((e) => e.event.eventId)).toEqual([event!.eventId]);
    expect((await db.query('SELECT * FROM outbox')).rowCount).toBe(0);
    await bus.close();
  });

  it('on PGlite, keeps the rows when the bus refuses them, and leaves the connection free while the bus takes a batch', async () => {
    const db = await serviceDb();
    const [event] = await db.transaction((tx) =>
      appendToOutbox(tx, [{ type: 'FlightCancelled', data: { flightId: 1, flightCode: 'X' } }], {
        correlationId: 'flight-1',
        causationId: null,
      }),
    );
    await expect(
      createOutboxRelay(db, {
        publish: async () => {
          throw new Error('broker unavailable');
        },
      }).drain(),
    ).rejects.toThrow('broker unavailable');
    expect((await db.query('SELECT event_id FROM outbox')).rows).toEqual([{ event_id: event!.eventId }]);

    // one connection for every transaction of the database: a write waits for no publish
    const published: string[] = [];
    let taken!: () => void;
    let release!: () => void;
    const taking = new Promise<void>((resolve) => {
      taken = resolve;
    });
    const releasing = new Promise<void>((resolve) => {
      release = resolve;
    });
    const drained = createOutboxRelay(db, {
      publish: async (events) => {
        taken();
        await releasing;
        published.push(...events.map((e) => e.eventId));
      },
    }).drain();
    await taking;
    await db.transaction((tx) => tx.query('INSERT INTO effects VALUES (1, 1)')); // while the bus holds the batch
    expect((await db.query('SELECT count(*)::int AS n FROM outbox')).rows).toEqual([{ n: 1 }]); // not deleted before it is taken
    release();
    await drained;
    expect(published).toEqual([event!.eventId]);
    expect((await db.query('SELECT * FROM outbox')).rowCount).toBe(0);
  });
});

describe('embedded event log', () => {
  async function collect(bus: EventBus, db: Database, seen: string[]) {
    const consumer = countingConsumer(db);
    await bus.subscribe({
      ...consumer,
      handle: async (batch) => {
        seen.push(...batch.map((d) => d.event.eventId));
        return consumer.handle(batch);
      },
    });
  }

  it('keeps each consumer position across a restart: nothing lost, nothing delivered again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'airline-log-'));
    dirs.push(dir);
    const effects = await serviceDb();
    const seen: string[] = [];
    let logDb = await createPgliteDatabase(join(dir, 'log'));
    let bus = await createEmbeddedEventBus(logDb, { pollMs: 20 });
    const first = [seatsSoldOut(21), seatsSoldOut(22)];
    await bus.publish(first);
    await collect(bus, effects, seen);
    await eventually(
      async () => seen.length,
      (len) => len === 2,
    );
    await bus.close();
    await logDb.close();

    logDb = await createPgliteDatabase(join(dir, 'log'));
    opened.push(logDb);
    bus = await createEmbeddedEventBus(logDb, { pollMs: 20 });
    await collect(bus, effects, seen);
    const later = seatsSoldOut(23);
    await bus.publish([later, first[0]!]); // a republished old event is deduplicated by the log
    await eventually(
      async () => seen.length,
      (len) => len === 3,
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual([first[0]!.eventId, first[1]!.eventId, later.eventId]);
    expect(await times(effects)).toEqual({ 21: 1, 22: 1, 23: 1 });
    await bus.close();
  });

  it('redelivers a failed event later with backoff, until it is handled', async () => {
    const logDb = await serviceDb();
    const effects = await serviceDb();
    const bus = await createEmbeddedEventBus(logDb, { pollMs: 20, backoff: () => 30 });
    const state = { broken: true };
    const consumer = countingConsumer(effects, state, 100);
    const attempts: number[] = [];
    await bus.subscribe({
      ...consumer,
      handle: async (batch) => {
        attempts.push(...batch.map((d) => d.attempt));
        if (attempts.length >= 3) state.broken = false;
        return consumer.handle(batch);
      },
    });
    await bus.publish([seatsSoldOut(13)]);
    await eventually(
      () => times(effects),
      (t) => t[13] === 1,
    );
    expect(attempts).toEqual([1, 2, 3]);
    await bus.close();
  });
});
