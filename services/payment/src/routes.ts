import { Type } from '@sinclair/typebox';
import type { Database } from '@airline/database';
import { notFound, type HttpApp } from '@airline/http';
import type { PaymentProcessor } from './processor.js';
import { findPayment, listPayments, toView } from './repository.js';

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
export const PaymentView = Type.Object({
  id: Type.Integer(),
  reservationId: Type.Integer(),
  customerId: Type.Integer(),
  cost: Type.Integer({ description: 'amount charged (seeds: cost)' }),
  status: Type.String(),
  declineReason: Type.Union([Type.String(), Type.Null()]),
  authorizationCode: Type.Union([Type.String(), Type.Null()]),
  attempts: Type.Integer(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  cardLast4: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const Problem = Type.Object({ type: Type.String(), title: Type.String(), status: Type.Integer(), detail: Type.Optional(Type.String()) });

export function paymentRoutes(app: HttpApp, db: Database, processor: PaymentProcessor) {
  app.get(
    '/payments',
    {
      schema: {
        tags: ['payments'],
        querystring: Type.Object({
          customerId: Type.Optional(Id),
          reservationId: Type.Optional(Id),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          after: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })),
        }),
        response: { 200: Type.Array(PaymentView) },
      },
    },
    async (req) => (await listPayments(db, { ...req.query, limit: req.query.limit ?? 1000, afterId: req.query.after ?? 0 })).map(toView),
  );
  app.get('/payments/processor', { schema: { tags: ['payments'], summary: 'Circuit breaker state of the processor client', response: { 200: Type.Object({ breaker: Type.String() }) } } }, async () => ({
    breaker: processor.state(),
  }));
  app.get('/payments/:id', { schema: { tags: ['payments'], params: Type.Object({ id: Id }), response: { 200: PaymentView, 404: Problem } } }, async (req) => {
    const row = await findPayment(db, req.params.id);
    if (!row) throw notFound(`payment ${req.params.id}`);
    return toView(row);
  });
}
