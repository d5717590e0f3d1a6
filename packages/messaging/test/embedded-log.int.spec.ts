// The embedded event log delivers every event to every consumer once and in log order, whether the
// consumer reads the in-memory tail (it keeps up) or the table (it is behind the tail, or the process
// restarted); an event published again is not delivered again.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { envelope, type IntegrationEvent } from '@airline/contracts';
import { createPgliteDatabase, type Database } from '@airline/database';
import { eventually } from '@airline/testing';
import { createEmbeddedEventBus, type Delivery } from '../src/index.js';

const opened: Database[] = [];
afterAll(async () => {
  for (const db of opened) await db.close();
});

const registered = (flightId: number): IntegrationEvent =>
  envelope(
    {
      type: 'FlightRegistered',
      data: { flightId, flightCode: `F${flightId}`, takeoffDate: '2027-01-01', cost: 100, capacity: 10, remainingSeatsCount: 10 },
    },
    { eventId: randomUUID(), occurredAt: new Date().toISOString(), correlationId: `flight-${flightId}`, causationId: null },
  ) as IntegrationEvent;

function recorder(consumer: string) {
  const seen: number[] = [];
  return {
    seen,
    sub: {
      consumer,
      eventTypes: ['FlightRegistered' as const],
      async handle(batch: Delivery[]) {
        for (const d of batch) seen.push((d.event as Extract<IntegrationEvent, { type: 'FlightRegistered' }>).data.flightId);
        return batch.map(() => 'done' as const);
      },
    },
  };
}

describe('the embedded event log', () => {
  it('delivers every event once, in order, from the tail or from the table, and not again when published again', async () => {
    const db = await createPgliteDatabase();
    opened.push(db);
    const bus = await createEmbeddedEventBus(db, { tailSize: 4, lingerMs: 0 });
    const keepingUp = recorder('keeping-up');
    await bus.subscribe(keepingUp.sub);
    const events = Array.from({ length: 30 }, (_, i) => registered(i + 1));
    for (let i = 0; i < events.length; i += 3) await bus.publish(events.slice(i, i + 3));
    await bus.publish([events[0]!, events[29]!]); // a relay that publishes again after a crash
    // a consumer that joins late starts behind the tail (4 events, 2 after eviction): the table
    const late = recorder('late');
    await bus.subscribe(late.sub);
    const all = Array.from({ length: 30 }, (_, i) => i + 1);
    await eventually(
      async () => [keepingUp.seen.length, late.seen.length],
      ([a, b]) => a! >= 30 && b! >= 30,
    );
    await new Promise((r) => setTimeout(r, 300)); // nothing more comes
    expect(keepingUp.seen).toEqual(all);
    expect(late.seen).toEqual(all);
    await bus.close();

    // after a restart the log is read from the table, from each consumer's stored position
    const reopened = await createEmbeddedEventBus(db, { tailSize: 4, lingerMs: 0 });
    const again = recorder('keeping-up');
    await reopened.subscribe(again.sub);
    await reopened.publish([registered(31)]);
    await eventually(
      async () => again.seen.length,
      (n) => n >= 1,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(again.seen).toEqual([31]);
    await reopened.close();
  });

  it('hands every consumer the same frozen event: none can change what another sees', async () => {
    const db = await createPgliteDatabase();
    opened.push(db);
    const bus = await createEmbeddedEventBus(db, { lingerMs: 0 });
    const got: IntegrationEvent[] = [];
    await bus.subscribe({
      consumer: 'mutating',
      eventTypes: ['FlightRegistered'],
      handle: async (batch) => {
        got.push(...batch.map((d) => d.event));
        return batch.map(() => 'done' as const);
      },
    });
    await bus.publish([registered(1)]);
    await eventually(
      async () => got.length,
      (n) => n === 1,
    );
    expect(() => {
      (got[0]!.data as { flightId: number }).flightId = 2;
    }).toThrow(TypeError);
    await bus.close();
  });

  it('a publish wakes its consumers on work, not on a timer', { timeout: 10_000 }, async () => {
    const db = await createPgliteDatabase();
    opened.push(db);
    const bus = await createEmbeddedEventBus(db);
    const batches: number[][] = [];
    let delivered: () => void = () => {};
    await bus.subscribe({
      consumer: 'waking',
      eventTypes: ['FlightRegistered'],
      async handle(batch) {
        batches.push(batch.map((d) => (d.event as Extract<IntegrationEvent, { type: 'FlightRegistered' }>).data.flightId));
        delivered();
        return batch.map(() => 'done' as const);
      },
    });
    await new Promise((r) => setTimeout(r, 200)); // its first look found nothing: it sleeps
    // from here no timer fires: neither the idle poll nor a linger could wake it
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    try {
      const arrived = new Promise<void>((resolve) => (delivered = resolve));
      void bus.publish([registered(1), registered(2)]);
      await arrived;
      expect(batches).toEqual([[1, 2]]);
    } finally {
      vi.useRealTimers();
    }
    await bus.close();
  });
});
