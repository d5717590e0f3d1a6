// The live notification stream resumes after the Last-Event-ID a reconnecting client sends, and only
// after a real one: any other value is a 400 naming the header, never a stream replayed from some
// other position or one that opens and silently ends.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteDatabase, migrate, type Database } from '@airline/database';
import { createHttpApp, type HttpApp } from '@airline/http';
import { notificationService, notificationRoutes } from '@airline/notification';
import { notificationFeed, type NotificationFeed } from '../src/feed.js';

let db: Database;
let feed: NotificationFeed;
let app: HttpApp;
let port: number;

beforeAll(async () => {
  db = await createPgliteDatabase();
  await migrate(db, notificationService.migrations);
  for (let i = 1; i <= 3; i++) {
    await db.query(
      `INSERT INTO notifications (customer_id, reservation_id, booking_reference, kind, title, message, event_id, occurred_at, webhook_status)
       VALUES (7, $1::int, 'ABC12' || $1::text, 'RESERVATION_PLACED', 'Booked', 'booked', gen_random_uuid(), now(), 'DISABLED')`,
      [i],
    );
  }
  feed = notificationFeed(db, { pollMs: 60_000 });
  await feed.start();
  app = createHttpApp({ service: 'notification' });
  notificationRoutes(app, db, feed, { heartbeatMs: 60_000 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as { port: number }).port;
});
afterAll(async () => {
  await app?.close();
  await feed?.stop();
  await db?.close();
});

/** The status and what arrived within a moment (the header goes out exactly as written). */
const open = (lastEventId: string | undefined) =>
  new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/notifications/stream?customerId=7',
        headers: lastEventId === undefined ? {} : { 'last-event-id': lastEventId },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
        if (res.statusCode === 200)
          setTimeout(() => {
            req.destroy();
            resolve({ status: 200, text });
          }, 300);
      },
    );
    req.on('error', reject);
    req.end();
  });

const ids = (text: string) => [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));

describe('Last-Event-ID', () => {
  it('resumes after the id given: what came after it, in order; without one, only what is new', async () => {
    expect(ids((await open('1')).text)).toEqual([2, 3]);
    expect(ids((await open('0')).text)).toEqual([1, 2, 3]);
    expect(ids((await open('3')).text)).toEqual([]);
    const fresh = await open(undefined);
    expect(fresh.status).toBe(200);
    expect(ids(fresh.text)).toEqual([]);
  });

  it.each(['', 'abc', '-1', '+1', '1.5', '1e3', '0x10', '01', 'Infinity', 'NaN', '9'.repeat(16), '99999999999999999999'])(
    '%j is 400 naming the header, not a stream',
    async (value) => {
      const answer = await open(value);
      expect(answer.status).toBe(400);
      const problem = JSON.parse(answer.text);
      expect(problem).toMatchObject({ status: 400, field: 'Last-Event-ID' });
      expect(problem.detail).toMatch(/Last-Event-ID header/);
    },
  );
});
