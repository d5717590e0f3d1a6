// The JetStream adapter against the machine's NATS: broker-side dedupe by eventId, one durable consumer
// shared by replicas (each event to one of them), redelivery with backoff, and reads by saga.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { envelope, type IntegrationEvent } from '@airline/contracts';
import { deleteStream, eventually, NATS_URL, uniqueName } from '@airline/testing';
import { createJetStreamEventBus, type Delivery, type DeliveryOutcome, type JetStreamEventBus } from '../src/index.js';

const prefixes: string[] = [];
const buses: JetStreamEventBus[] = [];
afterEach(async () => {
  for (const b of buses.splice(0)) await b.close();
});
afterAll(async () => {
  for (const p of prefixes) await deleteStream(p);
});

async function bus(prefix: string, options: Partial<Parameters<typeof createJetStreamEventBus>[0]> = {}) {
  const b = await createJetStreamEventBus({ servers: NATS_URL, prefix, backoff: () => 20, ...options });
  buses.push(b);
  return b;
}
function freshPrefix() {
  const p = uniqueName('js');
  prefixes.push(p);
  return p;
}

function seatsSoldOut(reservationId: number, correlationId = String(reservationId)): IntegrationEvent {
  return envelope(
    { type: 'SeatsSoldOut', data: { reservationId, flightId: 1, seatQty: 1, remainingSeatsCount: 0, reason: 'SOLD_OUT' } },
    { eventId: randomUUID(), occurredAt: new Date().toISOString(), correlationId, causationId: null },
  );
}
function paymentApproved(reservationId: number): IntegrationEvent {
  return envelope(
    { type: 'PaymentApproved', data: { reservationId, paymentId: reservationId, amount: 100, authorizationCode: 'A1B2C3' } },
    { eventId: randomUUID(), occurredAt: new Date().toISOString(), correlationId: String(reservationId), causationId: null },
  );
}

/** A subscription that records what it saw and answers with `decide`. */
function recorder(consumer: string, decide: (d: Delivery) => DeliveryOutcome = () => 'done') {
  const seen: Delivery[] = [];
  return {
    seen,
    sub: {
      consumer,
      eventTypes: ['SeatsSoldOut', 'PaymentApproved'] as const,
      async handle(batch: Delivery[]) {
        seen.push(...batch);
        return batch.map(decide);
      },
    },
  };
}

describe('JetStream event bus', () => {
  it('keeps one copy of an event published twice (Nats-Msg-Id = eventId)', async () => {
    const b = await bus(freshPrefix());
    const e = seatsSoldOut(1);
    await b.publish([e]);
    await b.publish([e, seatsSoldOut(2)]);
    expect((await b.read({})).map((x) => x.event.eventId)).toEqual([e.eventId, expect.any(String)]);
  });

  it('shares a durable consumer between replicas: every event is handled by exactly one of them', async () => {
    const prefix = freshPrefix();
    const replicas = await Promise.all([1, 2, 3].map(() => bus(prefix, { batchSize: 16, prefetch: 16 })));
    const recorders = replicas.map(() => recorder('reservation'));
    for (const [i, r] of replicas.entries()) await r.subscribe(recorders[i]!.sub);
    const events = Array.from({ length: 600 }, (_, i) => (i % 2 ? seatsSoldOut(i) : paymentApproved(i)));
    for (let i = 0; i < events.length; i += 100) await replicas[i % 3]!.publish(events.slice(i, i + 100));
    await eventually(
      async () => recorders.reduce((n, r) => n + r.seen.length, 0),
      (n) => n >= events.length,
    );
    await new Promise((r) => setTimeout(r, 300)); // a late duplicate would show up here
    const handled = recorders.flatMap((r) => r.seen.map((d) => d.event.eventId));
    expect(handled.sort()).toEqual(events.map((e) => e.eventId).sort());
    expect(recorders.filter((r) => r.seen.length > 0).length).toBeGreaterThan(1);
  });

  it('delivers an event again, with its attempt counted, until the handler is done with it', async () => {
    const b = await bus(freshPrefix());
    const r = recorder('payment', (d) => (d.attempt < 3 ? 'retry' : 'done'));
    await b.subscribe(r.sub);
    const e = seatsSoldOut(7);
    await b.publish([e]);
    await eventually(
      async () => r.seen.length,
      (n) => n >= 3,
    );
    await new Promise((res) => setTimeout(res, 300));
    expect(r.seen.map((d) => [d.event.eventId, d.attempt])).toEqual([
      [e.eventId, 1],
      [e.eventId, 2],
      [e.eventId, 3],
    ]);
  });

  it('resumes a durable consumer where it stopped: events published while no replica ran are delivered on the next start', async () => {
    const prefix = freshPrefix();
    const first = await bus(prefix);
    const r1 = recorder('flight');
    await first.subscribe(r1.sub);
    const before = seatsSoldOut(1);
    await first.publish([before]);
    await eventually(
      async () => r1.seen.length,
      (n) => n === 1,
    );
    await first.stopConsuming();
    const during = [seatsSoldOut(2), paymentApproved(3)];
    await first.publish(during);
    const second = await bus(prefix);
    const r2 = recorder('flight');
    await second.subscribe(r2.sub);
    await eventually(
      async () => r2.seen.length,
      (n) => n === 2,
    );
    expect(r2.seen.map((d) => d.event.eventId).sort()).toEqual(during.map((e) => e.eventId).sort());
  });

  it('reads a saga by its correlation id, in order, after a position and by type', async () => {
    const b = await bus(freshPrefix());
    const saga = [seatsSoldOut(41, 'res.41 x'), paymentApproved(41), seatsSoldOut(42)];
    saga[1] = { ...saga[1]!, correlationId: 'res.41 x' } as IntegrationEvent;
    await b.publish(saga);
    const mine = await b.read({ correlationId: 'res.41 x' });
    expect(mine.map((x) => x.event.eventId)).toEqual([saga[0]!.eventId, saga[1]!.eventId]);
    expect(mine[1]!.seq).toBeGreaterThan(mine[0]!.seq);
    expect((await b.read({ correlationId: 'res.41 x', after: mine[0]!.seq })).map((x) => x.event.eventId)).toEqual([saga[1]!.eventId]);
    expect((await b.read({ types: ['SeatsSoldOut'] })).map((x) => x.event.eventId)).toEqual([saga[0]!.eventId, saga[2]!.eventId]);
    expect(await b.read({ correlationId: 'nobody' })).toEqual([]);
    expect(await b.read({ limit: 2 })).toHaveLength(2);
  });

  it('creates the stream with the configured limits, applies changed limits on the next start, and reports its use of them', async () => {
    const prefix = freshPrefix();
    const first = await bus(prefix); // the defaults: kept forever, 6 GiB
    expect(await first.streamUsage()).toEqual({ bytes: 0, messages: 0, maxBytes: 6 * 1024 ** 3, maxAgeSeconds: 0 });
    await first.publish([seatsSoldOut(1), seatsSoldOut(2)]);
    const second = await bus(prefix, { maxBytes: 1024 * 1024, maxAgeMs: 7 * 24 * 3600_000 });
    const usage = await second.streamUsage();
    expect(usage).toMatchObject({ messages: 2, maxBytes: 1024 * 1024, maxAgeSeconds: 7 * 24 * 3600 });
    expect(usage.bytes).toBeGreaterThan(0);
  });

  it('answers readiness while the broker is there', async () => {
    const b = await bus(freshPrefix());
    await expect(b.ping()).resolves.toBeUndefined();
  });
});
