// Gateway endpoints that are not one service's resource: the sandbox's test cards (the UI lists them
// beside the card field), a card swapped for a token before a booking is sent (hosted card fields), and
// the dead letters of every service in one place (staff).
import { Type, type Static } from '@sinclair/typebox';
import { CARD_NUMBER_PATTERN } from '@airline/contracts';
import { HttpProblem, notFound, type HttpApp } from '@airline/http';
import { DeadLetter, RedriveInput, RedriveOutcome } from '@airline/service';
import { forwardedHeaders, sendUpstream } from './proxy.js';
import type { Upstreams } from './upstream.js';

export const TestCard = Type.Object({
  card: Type.String({ description: 'card number to type in the booking form' }),
  outcome: Type.String({ description: "'approved', or the reason the processor declines it" }),
  description: Type.String(),
});

const PaymentMethod = Type.Object({
  id: Type.String({ description: 'the token to book with (paymentMethod)' }),
  brand: Type.String(),
  last4: Type.String(),
});

const ServiceParams = Type.Object({
  service: Type.String({ pattern: '^[a-z-]{1,40}$', description: 'the service whose dead letters these are' }),
});
const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.Optional(Type.String()),
  field: Type.Optional(Type.String()),
});

/** Services with a consumer pipeline (and so dead letters): every upstream but the processor sandbox. */
const withDeadLetters = (upstreams: Upstreams) => upstreams.services().filter((s) => s !== 'processor');

export function operationsRoutes(app: HttpApp, upstreams: Upstreams) {
  if (upstreams.has('processor')) {
    app.get(
      '/sandbox/test-cards',
      {
        schema: {
          tags: ['sandbox'],
          summary: 'Cards the payment sandbox knows: which approve, which decline and why',
          response: { 200: Type.Array(TestCard) },
        },
      },
      async () => {
        const res = await upstreams.json<Array<Static<typeof TestCard>>>('processor', '/v1/test-cards');
        if (res.status !== 200) throw new HttpProblem(502, 'Bad gateway', `the payment sandbox answered ${res.status}`);
        return res.body;
      },
    );
    app.post(
      '/sandbox/payment-methods',
      {
        schema: {
          tags: ['sandbox'],
          summary:
            'Swap a card for a payment-method token (as hosted card fields do): book with paymentMethod, and the number reaches the processor only',
          body: Type.Object(
            { card: Type.String({ pattern: CARD_NUMBER_PATTERN, description: '12–19 digits passing the Luhn check' }) },
            { additionalProperties: false },
          ),
          response: { 201: PaymentMethod, 400: Problem },
        },
      },
      async (req, reply) => {
        // the processor checks the card rule and answers the same problem; nothing here keeps the body
        const res = await upstreams.request('processor', {
          method: 'POST',
          path: '/v1/payment-methods',
          headers: forwardedHeaders(req, null, true),
          body: JSON.stringify(req.body),
        });
        return sendUpstream(reply, res);
      },
    );
  }

  app.get(
    '/dead-letters',
    {
      schema: {
        tags: ['operations'],
        summary: 'Events parked after failing every retry, in every service (each row names its service)',
        response: { 200: Type.Array(Type.Intersect([Type.Object({ service: Type.String() }), DeadLetter])) },
      },
    },
    async (req) => {
      const all = await Promise.all(
        withDeadLetters(upstreams).map(async (service) => {
          const res = await upstreams.json<Array<Static<typeof DeadLetter>>>(service, '/dead-letters', { 'x-request-id': req.id });
          if (res.status !== 200)
            throw new HttpProblem(502, 'Bad gateway', `the ${service} service answered ${res.status} for its dead letters`);
          return res.body.map((d) => ({ service, ...d }));
        }),
      );
      return all.flat();
    },
  );

  const known = (service: string) => {
    if (!withDeadLetters(upstreams).includes(service)) throw notFound(`service ${service}`);
    return service;
  };

  app.get(
    '/dead-letters/:service',
    {
      schema: {
        tags: ['operations'],
        summary: "One service's parked events",
        params: ServiceParams,
        response: { 200: Type.Array(DeadLetter), 404: Problem },
      },
    },
    async (req, reply) => {
      const service = known(req.params.service);
      return sendUpstream(
        reply,
        await upstreams.request(service, { method: 'GET', path: '/dead-letters', headers: forwardedHeaders(req, req.identity, false) }),
      );
    },
  );

  app.post(
    '/dead-letters/:service/redrive',
    {
      schema: {
        tags: ['operations'],
        summary: "Hand a service's parked events to their consumer again (all, or the given ids)",
        params: ServiceParams,
        body: RedriveInput,
        response: { 200: Type.Array(RedriveOutcome), 404: Problem },
      },
    },
    async (req, reply) => {
      const service = known(req.params.service);
      const res = await upstreams.request(service, {
        method: 'POST',
        path: '/dead-letters/redrive',
        headers: { ...forwardedHeaders(req, req.identity, true), 'content-type': 'application/json' },
        body: JSON.stringify(req.body ?? {}),
      });
      return sendUpstream(reply, res);
    },
  );
}
