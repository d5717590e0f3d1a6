import { Type } from '@sinclair/typebox';
import type { Database } from '@airline/database';
import { HttpProblem, notFound, type HttpApp } from '@airline/http';
import type { PaymentProcessor } from './processor.js';
import type { PaymentStatus } from './payment.js';
import { findPayment, listPayments, retryFailedRefund, toView } from './repository.js';

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
  cardLast4: Type.String({ description: 'last four digits of the card (the number itself is only in the processor vault)' }),
  cardBrand: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const Problem = Type.Object({ type: Type.String(), title: Type.String(), status: Type.Integer(), detail: Type.Optional(Type.String()) });

export function paymentRoutes(app: HttpApp, db: Database, processor: PaymentProcessor, onRetry: () => void = () => {}) {
  app.get(
    '/payments',
    {
      schema: {
        tags: ['payments'],
        summary: 'Payments, oldest first (filter by customer or reservation; page with after=lastId)',
        querystring: Type.Object({
          customerId: Type.Optional(Id),
          reservationId: Type.Optional(Id),
          status: Type.Optional(
            Type.Union(
              (['PENDING', 'CHARGING', 'APPROVED', 'DECLINED', 'REFUND_PENDING', 'REFUNDING', 'REFUNDED', 'VOIDED', 'REFUND_FAILED'] as const).map((s) => Type.Literal(s)),
              { description: 'REFUND_FAILED: refunds parked because the processor contradicted the record; they need a person' },
            ),
          ),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          after: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })),
        }),
        response: { 200: Type.Array(PaymentView) },
      },
    },
    async (req) => (await listPayments(db, { ...req.query, status: req.query.status as PaymentStatus | undefined, limit: req.query.limit ?? 1000, afterId: req.query.after ?? 0 })).map(toView),
  );
  app.get('/payments/processor', { schema: { tags: ['payments'], summary: 'Circuit breaker state of the processor client', response: { 200: Type.Object({ breaker: Type.String() }) } } }, async () => ({
    breaker: processor.state(),
  }));
  app.get('/payments/:id', { schema: { tags: ['payments'], summary: 'One payment: amount, status, authorization or decline reason', params: Type.Object({ id: Id }), response: { 200: PaymentView, 404: Problem } } }, async (req) => {
    const row = await findPayment(db, req.params.id);
    if (!row) throw notFound(`payment ${req.params.id}`);
    return toView(row);
  });
  app.post(
    '/payments/:id/retry-refund',
    {
      schema: {
        tags: ['payments'],
        summary: 'Ask the processor again for a refund parked as REFUND_FAILED (after a person has looked at the ledger)',
        params: Type.Object({ id: Id }),
        response: { 200: PaymentView, 404: Problem, 409: Problem },
      },
    },
    async (req) => {
      const row = await db.transaction((tx) => retryFailedRefund(tx, req.params.id));
      if (row) {
        onRetry();
        return toView(row);
      }
      if (!(await findPayment(db, req.params.id))) throw notFound(`payment ${req.params.id}`);
      throw new HttpProblem(409, 'Conflict', `payment ${req.params.id} is not REFUND_FAILED`);
    },
  );
}
