// POST /reservations swaps a card for the processor's token before anything is stored; when the
// processor cannot be asked, a booking with a card gets 503 + Retry-After and nothing is written, while
// a booking without a card (the seeds' clients) or with a token still goes through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createPgliteDatabase, type Database } from '@airline/database';
import { createEmbeddedEventBus } from '@airline/messaging';
import { startService, type RunningService } from '@airline/service';
import { http } from '@airline/testing';
import { defaultReservationConfig, httpPaymentMethods, reservationService, type PaymentMethods } from '../src/index.js';

const CARD = '5520867530917428';
let db: Database;
let busDb: Database;
let service: RunningService;
let api: ReturnType<typeof http>;
/** What the fake vault was asked, and whether it is reachable. */
const asked: string[] = [];
let reachable = true;
const vault: PaymentMethods = {
  async tokenize(card) {
    asked.push(card);
    if (!reachable) return httpPaymentMethods({ url: 'http://127.0.0.1:1', timeoutMs: 200 }).tokenize(card); // a refused connection, as it happens
    return { paymentMethod: 'pm_fromVault1', cardLast4: card.slice(-4), cardBrand: 'mastercard' };
  },
  async describe(paymentMethod) {
    return paymentMethod === 'pm_fromVault1' ? { paymentMethod, cardLast4: '7428', cardBrand: 'mastercard' } : undefined;
  },
  close: async () => {},
};

beforeAll(async () => {
  [db, busDb] = await Promise.all([createPgliteDatabase(), createPgliteDatabase()]);
  const bus = await createEmbeddedEventBus(busDb);
  service = await startService(
    reservationService,
    { ...defaultReservationConfig, paymentMethods: vault },
    { db, bus, log: pino({ level: 'silent' }), port: 0, pipeline: false },
  );
  await db.query(
    `INSERT INTO flight_catalog (flight_id, flight_code, takeoff_date, cost, status) VALUES (1, 'KE001', '2027-01-01', 100, 'SCHEDULED')`,
  );
  api = http(service.url);
});
afterAll(async () => {
  await service?.stop();
  await db?.close();
  await busDb?.close();
});

const outboxText = async () => (await db.query<{ t: string }>(`SELECT string_agg(payload::text, ' ') AS t FROM outbox`)).rows[0]!.t ?? '';
const count = async (table: string) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;

describe('a card becomes a token before anything is stored', () => {
  it('the reservation, its event and its idempotency record hold the token, last four and brand, never the number', async () => {
    const r = await api.post('/reservations', { customerId: 7, flightId: 1, seatQty: 1, card: CARD }, { 'idempotency-key': 'k-1' });
    expect(r).toMatchObject({ status: 201, body: { cardLast4: '7428' } });
    expect(asked).toEqual([CARD]);
    const placed = (
      await db.query<{ payload: { data: Record<string, unknown> } }>(`SELECT payload FROM outbox WHERE type = 'ReservationPlaced'`)
    ).rows[0]!.payload.data;
    expect(placed).toMatchObject({ paymentMethod: 'pm_fromVault1', cardLast4: '7428', cardBrand: 'mastercard' });
    expect(placed).not.toHaveProperty('card');
    for (const table of ['reservations', 'outbox', 'idempotency_keys']) {
      const text = (await db.query<{ t: string }>(`SELECT string_agg(x::text, ' ') AS t FROM ${table} x`)).rows[0]!.t;
      expect(text, table).not.toContain(CARD);
    }
    // the retry with the same key is the same request: the vault gives the same card the same token
    expect(
      (await api.post('/reservations', { customerId: 7, flightId: 1, seatQty: 1, card: CARD }, { 'idempotency-key': 'k-1' })).body.id,
    ).toBe(r.body.id);
  });

  it('a token the client got first is taken as it is, without a card', async () => {
    const r = await api.post('/reservations', { customerId: 7, flightId: 1, seatQty: 1, paymentMethod: 'pm_fromVault1' });
    expect(r).toMatchObject({ status: 201, body: { cardLast4: '7428' } });
  });

  it('the processor unreachable: a card is a 503 with Retry-After and nothing written; no card, or a test token, still books', async () => {
    reachable = false;
    try {
      const before = { reservations: await count('reservations'), outbox: await count('outbox') };
      const r = await api.post('/reservations', { customerId: 7, flightId: 1, seatQty: 1, card: CARD });
      expect(r.status).toBe(503);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(JSON.stringify(r.body)).not.toContain(CARD);
      expect({ reservations: await count('reservations'), outbox: await count('outbox') }).toEqual(before);
      expect((await api.post('/reservations', { customerId: 8, flightId: 1, seatQty: 1 })).body).toMatchObject({ cardLast4: '4242' });
      expect(
        (await api.post('/reservations', { customerId: 8, flightId: 1, seatQty: 1, paymentMethod: 'pm_card_mastercard' })).body,
      ).toMatchObject({ cardLast4: '4444' });
      expect(await outboxText()).not.toContain(CARD);
    } finally {
      reachable = true;
    }
  });
});
