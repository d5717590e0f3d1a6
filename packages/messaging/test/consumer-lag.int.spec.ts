// One contract for both adapters: where a durable consumer stands (the metrics' pending and retrying
// events, the alert on growing lag, KEDA's scaler). The numbers describe the durable consumer, so a
// process that does not consume (another replica, a stopped one) reads the same.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { envelope, type IntegrationEvent } from '@airline/contracts';
import { createPgliteDatabase, type Database } from '@airline/database';
import { deleteStream, eventually, NATS_URL, uniqueName } from '@airline/testing';
import { createEmbeddedEventBus, createJetStreamEventBus, type Delivery, type EventBus } from '../src/index.js';

const cleanup: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

interface Adapter {
  /** A bus on the same log each time it is called (a replica, or the process after a restart). */
  open(): Promise<EventBus & { stopConsuming?: () => Promise<void> }>;
}

const adapters: Record<string, () => Promise<Adapter>> = {
  embedded: async () => {
    const db: Database = await createPgliteDatabase();
    cleanup.push(() => db.close());
    return {
      async open() {
        const bus = await createEmbeddedEventBus(db, { lingerMs: 0, pollMs: 20, backoff: () => 50 });
        cleanup.push(() => bus.close());
        return bus;
      },
    };
  },
  jetstream: async () => {
    const prefix = uniqueName('lag');
    cleanup.push(() => deleteStream(prefix));
    return {
      async open() {
        const bus = await createJetStreamEventBus({ servers: NATS_URL, prefix, backoff: () => 50 });
        cleanup.push(() => bus.close());
        return bus;
      },
    };
  },
};

const soldOut = (reservationId: number): IntegrationEvent =>
  envelope(
    { type: 'SeatsSoldOut', data: { reservationId, flightId: 1, seatQty: 1, remainingSeatsCount: 0, reason: 'SOLD_OUT' } },
    { eventId: randomUUID(), occurredAt: new Date().toISOString(), correlationId: String(reservationId), causationId: null },
  );

describe.each(Object.keys(adapters))('consumer lag (%s adapter)', (name) => {
  it('counts events not yet delivered and events failing their retries, per event type, for any process to read', async () => {
    const adapter = await adapters[name]!();
    const consuming = await adapter.open();
    const types = ['SeatsSoldOut', 'PaymentApproved'] as const;
    // reservation 2 never succeeds: it stays failing, retried with backoff
    const seen: number[] = [];
    const sub = {
      consumer: 'reservation',
      eventTypes: types,
      async handle(batch: Delivery[]) {
        for (const d of batch) seen.push((d.event.data as { reservationId: number }).reservationId);
        return batch.map((d) => ((d.event.data as { reservationId: number }).reservationId === 2 ? ('retry' as const) : ('done' as const)));
      },
    };
    const observer = await adapter.open();
    expect(await observer.consumerLag(sub)).toEqual([]); // nobody subscribed: no position to report

    await consuming.subscribe(sub);
    await consuming.publish([soldOut(1), soldOut(2), soldOut(3)]);
    await eventually(
      async () => seen.filter((id) => id === 2).length,
      (n) => n >= 2,
    );
    const byType = async () => (await observer.consumerLag(sub)).sort((a, b) => a.eventType.localeCompare(b.eventType));
    const caughtUp = await eventually(byType, (lag) => lag[1]?.pending === 0 && lag[1]?.retrying === 1);
    expect(caughtUp).toEqual([
      { consumer: 'reservation', eventType: 'PaymentApproved', pending: 0, retrying: 0 },
      { consumer: 'reservation', eventType: 'SeatsSoldOut', pending: 0, retrying: 1 },
    ]);

    // the consumer stops; what is published meanwhile is pending for whoever looks
    if (consuming.stopConsuming) await consuming.stopConsuming();
    else await consuming.close();
    await observer.publish([soldOut(4), soldOut(5), soldOut(6), soldOut(7)]);
    // the four new ones are pending; the failing one may be counted among them too once its retry falls
    // due with nobody consuming (JetStream puts a message whose backoff ran out back in line)
    const behind = await eventually(byType, (lag) => (lag[1]?.pending ?? 0) >= 4);
    expect(behind[0]).toEqual({ consumer: 'reservation', eventType: 'PaymentApproved', pending: 0, retrying: 0 });
    expect(behind[1]).toMatchObject({ consumer: 'reservation', eventType: 'SeatsSoldOut', retrying: 1 });
    expect([4, 5]).toContain(behind[1]!.pending);
  });
});
