// A stand-in for an external card processor, run as its own HTTP server (port 8089). Test cards decline;
// latency, errors and outages can be injected, so the payment service's timeout, retries and circuit
// breaker can be seen working. Charges are idempotent by the caller's reference.
import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { HttpProblem, createHttpApp, notFound, type HttpApp } from '@airline/http';

export const TEST_CARDS = [
  { card: '4242424242424242', outcome: 'approved', description: 'Visa, always approves' },
  { card: '5555555555554444', outcome: 'approved', description: 'Mastercard, always approves' },
  { card: '4000000000000002', outcome: 'card_declined', description: 'declined by the issuer' },
  { card: '4000000000009995', outcome: 'insufficient_funds', description: 'declined: insufficient funds' },
  { card: '4000000000000069', outcome: 'expired_card', description: 'declined: card expired' },
] as const;

const declines = new Map<string, string>(TEST_CARDS.filter((c) => c.outcome !== 'approved').map((c) => [c.card, c.outcome]));

export interface Faults {
  /** Added to every charge/refund. */
  latencyMs: number;
  /** Share of charge/refund calls answered 500, 0..1. */
  failureRate: number;
  /** Every charge/refund answered 503. */
  outage: boolean;
}

type Charge = { chargeId: string; reference: string; amount: number; status: 'approved' | 'declined' | 'refunded'; reason?: string; authorizationCode?: string };

export function buildPaymentProcessor(options: { random?: () => number } = {}): HttpApp & { faults: Faults } {
  const random = options.random ?? Math.random;
  const app = createHttpApp({ service: 'payment-processor' }) as HttpApp & { faults: Faults };
  const faults: Faults = { latencyMs: 0, failureRate: 0, outage: false };
  app.decorate('faults', faults);
  const byReference = new Map<string, Charge>();
  const voided = new Set<string>();

  async function injectFaults() {
    if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
    if (faults.outage) throw new HttpProblem(503, 'Processor unavailable', 'outage injected through /sandbox/faults');
    if (faults.failureRate > 0 && random() < faults.failureRate) throw new HttpProblem(500, 'Processor error', 'failure injected through /sandbox/faults');
  }

  const Outcome = Type.Object({
    chargeId: Type.String(),
    status: Type.Union([Type.Literal('approved'), Type.Literal('declined'), Type.Literal('refunded')]),
    reason: Type.Optional(Type.String()),
    authorizationCode: Type.Optional(Type.String()),
  });

  app.post(
    '/v1/charges',
    {
      schema: {
        body: Type.Object({
          reference: Type.String({ minLength: 1, maxLength: 200, description: 'idempotency: the same reference always gets the same answer' }),
          amount: Type.Integer({ minimum: 0 }),
          card: Type.String({ pattern: '^[0-9]{12,19}$' }),
        }),
        response: { 200: Outcome, 402: Outcome },
      },
    },
    async (req, reply) => {
      await injectFaults();
      const { reference, amount, card } = req.body as { reference: string; amount: number; card: string };
      let charge = byReference.get(reference);
      if (!charge) {
        const reason = voided.has(reference) ? 'voided' : declines.get(card);
        charge = reason
          ? { chargeId: randomUUID(), reference, amount, status: 'declined', reason }
          : { chargeId: randomUUID(), reference, amount, status: 'approved', authorizationCode: randomUUID().slice(0, 6).toUpperCase() };
        byReference.set(reference, charge);
      }
      reply.status(charge.status === 'declined' ? 402 : 200);
      return charge;
    },
  );

  app.post(
    '/v1/refunds',
    {
      schema: {
        body: Type.Object({ reference: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 200: Type.Object({ status: Type.Union([Type.Literal('refunded'), Type.Literal('voided')]), chargeId: Type.Optional(Type.String()) }) },
      },
    },
    async (req) => {
      await injectFaults();
      const { reference } = req.body as { reference: string };
      const charge = byReference.get(reference);
      if (charge && charge.status !== 'declined') {
        charge.status = 'refunded';
        return { status: 'refunded' as const, chargeId: charge.chargeId };
      }
      voided.add(reference); // nothing charged: a late charge with this reference will be declined
      return { status: 'voided' as const };
    },
  );

  app.get('/v1/charges/:reference', async (req) => {
    const charge = byReference.get((req.params as { reference: string }).reference);
    if (!charge) throw notFound('charge');
    return charge;
  });

  app.get('/v1/test-cards', async () => TEST_CARDS);

  const FaultsSchema = Type.Object({
    latencyMs: Type.Integer({ minimum: 0, maximum: 60_000 }),
    failureRate: Type.Number({ minimum: 0, maximum: 1 }),
    outage: Type.Boolean(),
  });
  app.get('/sandbox/faults', { schema: { response: { 200: FaultsSchema } } }, async () => faults);
  app.put('/sandbox/faults', { schema: { body: Type.Partial(FaultsSchema), response: { 200: FaultsSchema } } }, async (req) => Object.assign(faults, req.body));
  return app;
}
