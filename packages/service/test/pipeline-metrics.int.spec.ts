// Every service started through startService shows its event pipeline on its own /metrics: the outbox
// (rows, oldest age), where its durable consumers stand (pending, retrying), what they handled, failed,
// saw again and parked, and the dead letters waiting. The alert rules and the dashboard read these names.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { envelope, type IntegrationEvent } from '@airline/contracts';
import { createPgliteDatabase, type Database } from '@airline/database';
import { createHttpApp } from '@airline/http';
import { createEmbeddedEventBus } from '@airline/messaging';
import { eventually } from '@airline/testing';
import { Registry } from 'prom-client';
import { startService, streamMetrics, type RunningService, type ServiceDefinition } from '../src/index.js';

const cleanup: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

const soldOut = (reservationId: number): IntegrationEvent =>
  envelope(
    { type: 'SeatsSoldOut', data: { reservationId, flightId: 1, seatQty: 1, remainingSeatsCount: 0, reason: 'SOLD_OUT' } },
    { eventId: randomUUID(), occurredAt: new Date().toISOString(), correlationId: String(reservationId), causationId: null },
  );

/** A service whose one consumer fails every delivery of reservation 2's event. */
const auditService: ServiceDefinition<Record<string, never>> = {
  name: 'audit',
  migrations: [],
  build({ consumer }) {
    const app = createHttpApp({ service: 'audit' });
    const audit = consumer('audit', {
      async SeatsSoldOut(event) {
        if (event.data.reservationId === 2) throw new Error('reservation 2 cannot be audited');
      },
    });
    return { app, consumers: [audit], workers: [] };
  },
};

/** What the service logged, one parsed JSON object per line. */
const logged: Array<Record<string, unknown>> = [];
const log = pino({ level: 'warn' }, { write: (line: string) => void logged.push(JSON.parse(line)) });

async function start(pipeline: boolean) {
  const logDb: Database = await createPgliteDatabase();
  const db: Database = await createPgliteDatabase();
  const bus = await createEmbeddedEventBus(logDb, { lingerMs: 0, pollMs: 20, backoff: () => 20 });
  const service: RunningService = await startService(auditService, {}, { db, bus, log, port: 0, maxAttempts: 2, pipeline });
  cleanup.push(async () => {
    await bus.close();
    await service.stop();
    await db.close();
    await logDb.close();
  });
  return { service, bus, db };
}

/** The samples of /metrics as `name{labels}` → value. */
async function scrape(service: RunningService): Promise<Map<string, number>> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m) samples.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  return samples;
}

describe('pipeline metrics of a service', () => {
  it('count what its consumer handled, failed, saw again and parked, and show the parked letter and the consumer position', async () => {
    const { service, bus } = await start(true);
    await bus.publish([soldOut(1), soldOut(2), soldOut(3)]);
    const labels = '{consumer="audit",event_type="SeatsSoldOut",service="audit"}';
    const samples = await eventually(
      () => scrape(service),
      (s) => s.get(`airline_dead_letters${labels}`) === 1,
    );
    expect(samples.get(`airline_events_handled_total${labels}`)).toBe(2);
    expect(samples.get(`airline_events_failed_total${labels}`)).toBe(2); // both attempts of reservation 2
    expect(samples.get(`airline_event_redeliveries_total${labels}`)).toBe(1);
    expect(samples.get(`airline_dead_letters_parked_total${labels}`)).toBe(1);
    expect(samples.get(`airline_consumer_pending_events${labels}`)).toBe(0);
    expect(samples.get(`airline_consumer_retrying_events${labels}`)).toBe(0); // parked: no longer retried

    // the logs name the booking (correlationId) the failing event belongs to, in every line about it
    const aboutTwo = logged.filter((l) => l.correlationId === '2');
    expect(aboutTwo.map((l) => [l.msg, l.consumer, l.eventType, l.attempt])).toEqual([
      ['handler failed; will retry', 'audit', 'SeatsSoldOut', 1],
      ['handler failed; will retry', 'audit', 'SeatsSoldOut', 2],
      ['event parked as dead letter', 'audit', 'SeatsSoldOut', undefined],
    ]);

    // once redriven (what POST /dead-letters/redrive records after a success) it leaves the gauge
    await service.db.query(`UPDATE dead_letters SET redriven_at = now()`);
    expect((await scrape(service)).has(`airline_dead_letters${labels}`)).toBe(false);
  });

  it('show the rows waiting in the outbox and the age of the oldest, until the relay publishes them', async () => {
    const { service } = await start(false); // relay stopped: the outbox fills
    await service.db.query(
      `INSERT INTO outbox (event_id, type, payload, created_at) VALUES ($1, 'SeatsSoldOut', $2, now() - interval '45 seconds'), ($3, 'SeatsSoldOut', $4, now())`,
      [randomUUID(), JSON.stringify(soldOut(1)), randomUUID(), JSON.stringify(soldOut(2))],
    );
    const before = await scrape(service);
    expect(before.get('airline_outbox_rows{service="audit"}')).toBe(2);
    expect(before.get('airline_outbox_oldest_age_seconds{service="audit"}')).toBeGreaterThanOrEqual(45);
    expect(before.get('airline_outbox_oldest_age_seconds{service="audit"}')).toBeLessThan(60);

    await service.relay.drain();
    const after = await scrape(service);
    expect(after.get('airline_outbox_rows{service="audit"}')).toBe(0);
    expect(after.get('airline_outbox_oldest_age_seconds{service="audit"}')).toBe(0);
    expect(after.get('airline_outbox_published_total{event_type="SeatsSoldOut",service="audit"}')).toBe(2);
  });

  it('report a gauge that cannot be read as unknown (NaN, not 0), and count that, instead of failing /metrics', async () => {
    const { service } = await start(false);
    await service.db.query('ALTER TABLE outbox RENAME TO outbox_gone');
    const res = await fetch(`${service.url}/metrics`);
    expect(res.status).toBe(200);
    const samples = await scrape(service);
    expect(samples.get('airline_outbox_rows{service="audit"}')).toBeNaN();
    expect(samples.get('airline_outbox_oldest_age_seconds{service="audit"}')).toBeNaN();
    // one failed read per scrape, shared by both outbox gauges; the counter is written out alongside the
    // gauges, so the second scrape shows the first scrape's failure
    expect(samples.get('airline_metrics_collect_errors_total{source="outbox",service="audit"}')).toBe(1);
    await service.db.query('ALTER TABLE outbox_gone RENAME TO outbox');
  });

  it('include the Node process metrics when the process runs this one service', async () => {
    const logDb = await createPgliteDatabase();
    const db = await createPgliteDatabase();
    const bus = await createEmbeddedEventBus(logDb);
    const service = await startService(
      auditService,
      {},
      { db, bus, log: pino({ level: 'silent' }), port: 0, pipeline: false, processMetrics: true },
    );
    cleanup.push(async () => {
      await bus.close();
      await service.stop();
      await db.close();
      await logDb.close();
    });
    const samples = await scrape(service);
    expect(samples.get('process_cpu_user_seconds_total{service="audit"}')).toBeGreaterThan(0);
    expect([...samples.keys()].some((k) => k.startsWith('nodejs_heap_size_used_bytes'))).toBe(true);
  });

  it('show the JetStream stream against its byte limit, and NaN when the broker does not answer', async () => {
    const registry = new Registry();
    let answer: () => Promise<{ bytes: number; messages: number; maxBytes: number; maxAgeSeconds: number }> = async () => ({
      bytes: 6_000,
      messages: 12,
      maxBytes: 8_000,
      maxAgeSeconds: 0,
    });
    streamMetrics(registry, { streamUsage: () => answer() }, pino({ level: 'silent' }));
    const text = await registry.metrics();
    expect(text).toContain('airline_stream_bytes 6000');
    expect(text).toContain('airline_stream_messages 12');
    expect(text).toContain('airline_stream_max_bytes 8000');
    answer = async () => {
      throw new Error('no responders');
    };
    expect(await registry.metrics()).toMatch(/^airline_stream_bytes nan$/im); // prom-client writes Nan; Prometheus reads any case
  });
});
