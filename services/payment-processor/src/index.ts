// A stand-in for an external card processor, run as its own HTTP server (port 8089), with a database of
// its own like a real provider: a vault that turns card numbers into tokens (POST /v1/payment-methods),
// and a ledger of charges that survives a restart. Test cards decline; latency, errors and outages can
// be injected into charges and refunds, so the payment service's timeout, retries and circuit breaker
// can be seen working. Charges are idempotent by the caller's reference.
import { fileURLToPath } from 'node:url';
import { Type } from '@sinclair/typebox';
import { PaymentMethodId, TEST_CARDS, cardProblem } from '@airline/contracts';
import { migrate, migrationsFrom, type Database } from '@airline/database';
import { HttpProblem, badRequest, createHttpApp, notFound, type HttpApp } from '@airline/http';
import type { Logger } from 'pino';
import { serviceLogger } from '@airline/telemetry';
import { charge, describePaymentMethod, findCharge, refund, tokenize, type Charge } from './ledger.js';

export { TEST_CARDS };
export const processorMigrations = migrationsFrom(fileURLToPath(new URL('../migrations', import.meta.url)));

export interface Faults {
  /** Added to every charge/refund. */
  latencyMs: number;
  /** Share of charge/refund calls answered 500, 0..1. */
  failureRate: number;
  /** Every charge/refund answered 503. */
  outage: boolean;
}

export type PaymentProcessorApp = HttpApp & { faults: Faults };

const PaymentMethodView = Type.Object({
  id: PaymentMethodId,
  brand: Type.String({ description: "card network, e.g. visa; 'unknown' when none matches" }),
  last4: Type.String(),
});
const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.Optional(Type.String()),
  field: Type.Optional(Type.String()),
});

/** The sandbox on its own database (migrated here): the vault and the ledger live there. */
export async function buildPaymentProcessor(options: { db: Database; random?: () => number; log?: Logger }): Promise<PaymentProcessorApp> {
  const { db } = options;
  await migrate(db, processorMigrations);
  const random = options.random ?? Math.random;
  const log = options.log && serviceLogger(options.log, 'payment-processor');
  const app = createHttpApp({
    service: 'payment-processor',
    log,
    readiness: { database: () => db.query('SELECT 1') },
  }) as PaymentProcessorApp;
  const faults: Faults = { latencyMs: 0, failureRate: 0, outage: false };
  app.decorate('faults', faults);

  async function injectFaults() {
    if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
    if (faults.outage) throw new HttpProblem(503, 'Processor unavailable', 'outage injected through /sandbox/faults');
    if (faults.failureRate > 0 && random() < faults.failureRate)
      throw new HttpProblem(500, 'Processor error', 'failure injected through /sandbox/faults');
  }

  const Outcome = Type.Object({
    chargeId: Type.String(),
    status: Type.Union([Type.Literal('approved'), Type.Literal('declined'), Type.Literal('refunded')]),
    reason: Type.Optional(Type.String()),
    authorizationCode: Type.Optional(Type.String()),
  });
  /** A ledger row as a charge answer: a voided reference is a declined charge. */
  const outcome = (c: Charge) => ({
    chargeId: c.chargeId,
    status: c.status === 'voided' ? ('declined' as const) : c.status,
    ...(c.status === 'voided' ? { reason: 'voided' } : c.reason ? { reason: c.reason } : {}),
    ...(c.authorizationCode ? { authorizationCode: c.authorizationCode } : {}),
  });

  app.post(
    '/v1/payment-methods',
    {
      schema: {
        summary: 'Tokenise a card (what hosted card fields do): the number stays in the vault, the token travels',
        body: Type.Object({ card: Type.String({ maxLength: 64 }) }),
        response: { 201: PaymentMethodView, 400: Problem },
      },
    },
    async (req, reply) => {
      const { card } = req.body as { card: string };
      const problem = cardProblem(card);
      if (problem) throw badRequest(problem, 'card');
      reply.status(201);
      return tokenize(db, card);
    },
  );

  app.get(
    '/v1/payment-methods/:id',
    {
      schema: {
        summary: 'What the vault knows of a token: brand and last four digits',
        params: Type.Object({ id: PaymentMethodId }),
        response: { 200: PaymentMethodView, 404: Problem },
      },
    },
    async (req) => {
      const found = await describePaymentMethod(db, (req.params as { id: string }).id);
      if (!found) throw notFound('payment method');
      return found;
    },
  );

  app.post(
    '/v1/charges',
    {
      schema: {
        body: Type.Object({
          reference: Type.String({
            minLength: 1,
            maxLength: 200,
            description: 'idempotency: the same reference always gets the same answer',
          }),
          amount: Type.Integer({ minimum: 0 }),
          paymentMethod: PaymentMethodId,
        }),
        response: { 200: Outcome, 402: Outcome },
      },
    },
    async (req, reply) => {
      await injectFaults();
      const result = outcome(await charge(db, req.body as { reference: string; amount: number; paymentMethod: string }));
      reply.status(result.status === 'declined' ? 402 : 200);
      return result;
    },
  );

  app.post(
    '/v1/refunds',
    {
      schema: {
        body: Type.Object({ reference: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: {
          200: Type.Object({
            status: Type.Union([Type.Literal('refunded'), Type.Literal('voided')]),
            chargeId: Type.Optional(Type.String()),
          }),
        },
      },
    },
    async (req) => {
      await injectFaults();
      return refund(db, (req.body as { reference: string }).reference);
    },
  );

  app.get(
    '/v1/charges/:reference',
    {
      schema: {
        summary: "The ledger's row of a reference: status approved, declined, refunded (refundedAt) or voided",
        params: Type.Object({ reference: Type.String({ minLength: 1, maxLength: 200 }) }),
      },
    },
    async (req) => {
      const found = await findCharge(db, (req.params as { reference: string }).reference);
      if (!found) throw notFound('charge');
      return found;
    },
  );

  app.get('/v1/test-cards', async () =>
    TEST_CARDS.map(({ card, outcome, description, paymentMethod }) => ({ card, outcome, description, paymentMethod })),
  );

  const FaultsSchema = Type.Object({
    latencyMs: Type.Integer({ minimum: 0, maximum: 60_000 }),
    failureRate: Type.Number({ minimum: 0, maximum: 1 }),
    outage: Type.Boolean(),
  });
  app.get('/sandbox/faults', { schema: { response: { 200: FaultsSchema } } }, async () => faults);
  app.put('/sandbox/faults', { schema: { body: Type.Partial(FaultsSchema), response: { 200: FaultsSchema } } }, async (req) =>
    Object.assign(faults, req.body),
  );
  return app;
}
