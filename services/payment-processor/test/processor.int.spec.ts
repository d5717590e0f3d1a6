// The processor sandbox as a real provider: a vault that swaps card numbers for tokens, and a ledger in
// its own database that a restart does not forget.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgliteDatabase, type Database } from '@airline/database';
import { http } from '@airline/testing';
import { httpPaymentProcessor } from '@airline/payment';
import { buildPaymentProcessor, type PaymentProcessorApp } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'processor-ledger-'));
let db: Database;
let app: PaymentProcessorApp;
let api: ReturnType<typeof http>;

async function start() {
  db = await createPgliteDatabase(join(dir, 'db'));
  app = await buildPaymentProcessor({ db });
  await app.listen({ port: 0, host: '127.0.0.1' });
  api = http(`http://127.0.0.1:${(app.server.address() as { port: number }).port}`);
}
async function stop() {
  await app.close();
  await db.close();
}

beforeAll(start);
afterAll(async () => {
  await stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('tokenisation (POST /v1/payment-methods)', () => {
  it('swaps a card for a token with brand and last four; the same card gets the same token', async () => {
    const first = await api.post('/v1/payment-methods', { card: '5105105105105100' });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ id: expect.stringMatching(/^pm_[A-Za-z0-9_]+$/), brand: 'mastercard', last4: '5100' });
    expect((await api.post('/v1/payment-methods', { card: '5105105105105100' })).body.id).toBe(first.body.id);
    expect((await api.get(`/v1/payment-methods/${first.body.id}`)).body).toEqual(first.body);
    expect((await db.query('SELECT card FROM payment_methods WHERE id = $1', [first.body.id])).rows).toEqual([
      { card: '5105105105105100' },
    ]);
  });
  it('a test card gets its well-known token and is not stored', async () => {
    expect((await api.post('/v1/payment-methods', { card: '4000000000000002' })).body).toEqual({
      id: 'pm_card_chargeDeclined',
      brand: 'visa',
      last4: '0002',
    });
    expect((await db.query(`SELECT 1 FROM payment_methods WHERE card = '4000000000000002'`)).rows).toEqual([]);
  });
  it.each([
    ['42424242424242424242', '20 digits'],
    ['            ', '12 spaces'],
    ['4242424242424241', 'failing Luhn'],
  ])('refuses %j (%s) with a 400 naming card', async (card) => {
    const r = await api.post('/v1/payment-methods', { card });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ field: 'card' });
    expect(JSON.stringify(r.body)).not.toContain(card.trim() || 'never');
  });
  it('an unknown token is a 404', async () => expect((await api.get('/v1/payment-methods/pm_neverIssued')).status).toBe(404));
});

describe('charges take tokens, never numbers', () => {
  it('approves a vault token, declines the decline tokens, and an unknown token', async () => {
    const { body: pm } = await api.post('/v1/payment-methods', { card: '4000056655665556' });
    expect((await api.post('/v1/charges', { reference: 'c-1', amount: 100, paymentMethod: pm.id })).body).toMatchObject({
      status: 'approved',
    });
    expect(
      (await api.post('/v1/charges', { reference: 'c-2', amount: 100, paymentMethod: 'pm_card_chargeDeclinedInsufficientFunds' })).body,
    ).toMatchObject({ status: 'declined', reason: 'insufficient_funds' });
    const unknown = await api.post('/v1/charges', { reference: 'c-3', amount: 100, paymentMethod: 'pm_neverIssued' });
    expect(unknown).toMatchObject({ status: 402, body: { status: 'declined', reason: 'invalid_payment_method' } });
    expect((await api.post('/v1/charges', { reference: 'c-4', amount: 100, card: '4242424242424242' })).status).toBe(400);
  });
  it('the same reference gets its first answer, asked again (whatever the request) or twice at once: one ledger row, one charge id', async () => {
    const ask = () => api.post('/v1/charges', { reference: 'c-6', amount: 100, paymentMethod: 'pm_card_visa' });
    const [first, twin] = await Promise.all([ask(), ask()]);
    const again = await api.post('/v1/charges', { reference: 'c-6', amount: 999, paymentMethod: 'pm_card_chargeDeclined' });
    expect(first.body).toMatchObject({ status: 'approved', authorizationCode: expect.any(String) });
    expect([twin.body, again.body]).toEqual([first.body, first.body]);
    expect((await db.query(`SELECT amount, status FROM charges WHERE reference = 'c-6'`)).rows).toEqual([
      { amount: 100, status: 'approved' },
    ]);
  });
  it('a processor 4xx is a decline to the payment service (terminal, with the reason in words), not a failure to retry', async () => {
    const client = httpPaymentProcessor({ url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`, timeoutMs: 1_000 });
    try {
      const result = await client.charge({ reference: 'c-5', amount: 100, paymentMethod: 'not-a-token' });
      expect(result).toEqual({
        outcome: 'declined',
        reason: expect.stringMatching(/^the processor refused the charge \(400 .*paymentMethod/),
      });
      expect(client.state()).toBe('closed');
    } finally {
      await client.close();
    }
  });
});

describe('the ledger survives a restart', () => {
  it('a charge approved before the restart is refunded after it (not voided), once', async () => {
    const charged = await api.post('/v1/charges', { reference: 'reservation-42', amount: 600, paymentMethod: 'pm_card_visa' });
    expect(charged.body).toMatchObject({ status: 'approved' });
    await stop();
    await start();
    expect((await api.post('/v1/refunds', { reference: 'reservation-42' })).body).toEqual({
      status: 'refunded',
      chargeId: charged.body.chargeId,
    });
    expect((await api.post('/v1/refunds', { reference: 'reservation-42' })).body).toEqual({
      status: 'refunded',
      chargeId: charged.body.chargeId,
    });
    expect((await api.get('/v1/charges/reservation-42')).body).toMatchObject({
      status: 'refunded',
      amount: 600,
      refundedAt: expect.any(String),
    });
  });
  it('a refund before any charge is a void, and the late charge with that reference is declined', async () => {
    expect((await api.post('/v1/refunds', { reference: 'reservation-43' })).body).toEqual({ status: 'voided' });
    await stop();
    await start();
    expect(await api.post('/v1/charges', { reference: 'reservation-43', amount: 600, paymentMethod: 'pm_card_visa' })).toMatchObject({
      status: 402,
      body: { status: 'declined', reason: 'voided' },
    });
  });
});
