// Freshness of searches answered from memory (the availability view): a replica's own writes are seen
// by its next read at once; another replica's within the refresh interval, far inside the 1 s bound.
// Two flight services share one database here, as two replicas share PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createPgliteDatabase, type Database } from '@airline/database';
import { createEmbeddedEventBus, type EventBus } from '@airline/messaging';
import { startService, type RunningService } from '@airline/service';
import { http } from '@airline/testing';
import { flightService } from '../src/index.js';

const REFRESH_MS = 100;
const log = pino({ level: 'silent' });
let db: Database;
let busDb: Database;
let bus: EventBus;
let a: RunningService;
let b: RunningService;

beforeAll(async () => {
  [db, busDb] = await Promise.all([createPgliteDatabase(), createPgliteDatabase()]);
  bus = await createEmbeddedEventBus(busDb);
  // HTTP only: what is measured is the view, not the saga
  a = await startService(flightService, { availabilityRefreshMs: REFRESH_MS }, { db, bus, log, port: 0, pipeline: false });
  b = await startService(flightService, { availabilityRefreshMs: REFRESH_MS }, { db, bus, log, port: 0, pipeline: false });
  for (const w of [...a.workers, ...b.workers]) w.start(); // the refreshers, without relay or consumers
});
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await bus?.close();
  await db?.close();
  await busDb?.close();
});

describe('searches from memory', () => {
  it("show a replica's own write to its very next read, and another replica's within the bound", async () => {
    const created = await http(a.url).post('/flights', { flightCode: 'KE81', takeoffDate: '2027-01-10', cost: 100, capacity: 9 });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    // registered on a: b has never seen it, and still answers it (from the table)
    expect((await http(b.url).get(`/flights/${id}`)).body).toMatchObject({ id, remainingSeatsCount: 9, status: 'SCHEDULED' });

    const cancelled = await http(a.url).post(`/flights/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect((await http(a.url).get(`/flights/${id}`)).body.status).toBe('CANCELLED');
    expect((await http(a.url).get('/flights')).body.find((f: { id: number }) => f.id === id).status).toBe('CANCELLED');

    const since = Date.now();
    let seen: string | undefined;
    while (seen !== 'CANCELLED' && Date.now() - since < 5_000) {
      seen = (await http(b.url).get('/flights')).body.find((f: { id: number }) => f.id === id)?.status;
      if (seen !== 'CANCELLED') await new Promise((r) => setTimeout(r, 10));
    }
    expect(seen).toBe('CANCELLED');
    expect(Date.now() - since).toBeLessThan(1_000); // the freshness bound of the product (not a speed figure)
  });

  it('answers 304 to a reader whose ETag is current, and the new list once a flight changed', async () => {
    const first = await http(a.url).get('/flights');
    const etag = first.headers.get('etag')!;
    expect(first.headers.get('cache-control')).toBe('no-cache');
    expect((await http(a.url).get('/flights', { 'if-none-match': etag })).status).toBe(304);
    await http(a.url).post('/flights', { flightCode: 'KE82', takeoffDate: '2027-01-11', cost: 100, capacity: 3 });
    const changed = await http(a.url).get('/flights', { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.body.map((f: { flightCode: string }) => f.flightCode)).toContain('KE82');

    const one = await http(a.url).get('/flights/1');
    expect((await http(a.url).get('/flights/1', { 'if-none-match': one.headers.get('etag')! })).status).toBe(304);
  });
});
