import { Type } from '@sinclair/typebox';
import type { Database } from '@airline/database';
import type { FastifyReply } from 'fastify';
import {
  DEFAULT_PAGE_SIZE,
  HAL_JSON,
  halItem,
  halPage,
  HttpProblem,
  notFound,
  PagingQuery,
  sortingOf,
  wantsHal,
  listOrHalPage,
  sendHal,
  type HttpApp,
} from '@airline/http';
import type { PaymentProcessor } from './processor.js';
import type { PaymentStatus } from './payment.js';
import {
  findPayment,
  listPayments,
  PAYMENT_SORT_COLUMNS,
  paymentPage,
  retryFailedRefund,
  toView,
  type PaymentSortField,
} from './repository.js';

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
export const PaymentView = Type.Object(
  {
    id: Type.Integer(),
    reservationId: Type.Integer(),
    customerId: Type.Integer(),
    cost: Type.Integer({ description: 'amount charged, in minor units of currency (seeds: cost)' }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code of cost', examples: ['KRW'] }),
    status: Type.String(),
    declineReason: Type.Union([Type.String(), Type.Null()]),
    authorizationCode: Type.Union([Type.String(), Type.Null()]),
    attempts: Type.Integer(),
    lastError: Type.Union([Type.String(), Type.Null()]),
    cardLast4: Type.String({ description: 'last four digits of the card (the number itself is only in the processor vault)' }),
    cardBrand: Type.String(),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { title: 'Payment' },
);
const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.Optional(Type.String()),
  field: Type.Optional(Type.String()),
});
const SORTABLE = Object.keys(PAYMENT_SORT_COLUMNS) as PaymentSortField[];
const PAYMENT_STATUSES = [
  'PENDING',
  'CHARGING',
  'APPROVED',
  'DECLINED',
  'REFUND_PENDING',
  'REFUNDING',
  'REFUNDED',
  'VOIDED',
  'REFUND_FAILED',
] as const;

export function paymentRoutes(app: HttpApp, db: Database, processor: PaymentProcessor, onRetry: () => void = () => {}) {
  app.get(
    '/payments',
    {
      schema: {
        tags: ['payments'],
        summary: 'Payments, oldest first (filter by customer or reservation; page with after=lastId, or with HAL page, size and sort)',
        querystring: Type.Object({
          customerId: Type.Optional(Id),
          reservationId: Type.Optional(Id),
          status: Type.Optional(
            Type.Union(
              PAYMENT_STATUSES.map((s) => Type.Literal(s)),
              { description: 'REFUND_FAILED: refunds parked because the processor contradicted the record; they need a person' },
            ),
          ),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          after: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })),
          ...PagingQuery,
        }),
        response: {
          200: listOrHalPage('The payments (application/json), or a page of them (application/hal+json)', 'payments', PaymentView),
          400: Problem,
        },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const status = q.status as PaymentStatus | undefined;
      reply.header('vary', 'accept');
      if (!wantsHal(req.headers.accept))
        return (await listPayments(db, { ...q, status, limit: q.limit ?? 1000, afterId: q.after ?? 0 })).map(toView);
      const sorting = sortingOf(q.sort, SORTABLE, 'id');
      const size = q.size ?? DEFAULT_PAGE_SIZE;
      const page = q.page ?? 0;
      const { rows, total } = await paymentPage(
        db,
        { customerId: q.customerId, reservationId: q.reservationId, status },
        { offset: page * size, limit: size, sort: sorting.field, descending: sorting.descending },
      );
      const body = halPage({
        collection: 'payments',
        items: rows.map(toView),
        totalElements: total,
        path: '/payments',
        query: { customerId: q.customerId, reservationId: q.reservationId, status: q.status, sort: q.sort },
        page,
        size,
        itemHref: (p) => `/payments/${p.id}`,
      });
      return sendHal(reply as FastifyReply, body);
    },
  );
  app.get(
    '/payments/processor',
    {
      schema: {
        tags: ['payments'],
        summary: 'Circuit breaker state of the processor client',
        response: { 200: Type.Object({ breaker: Type.String() }) },
      },
    },
    async () => ({
      breaker: processor.state(),
    }),
  );
  app.get(
    '/payments/:id',
    {
      schema: {
        tags: ['payments'],
        summary: 'One payment: amount and currency, status, authorization or decline reason',
        params: Type.Object({ id: Id }),
        response: {
          200: {
            description: 'The payment (HAL with its self link when asked for)',
            content: { 'application/json': { schema: PaymentView }, [HAL_JSON]: { schema: PaymentView } },
          },
          404: Problem,
        },
      },
    },
    async (req, reply) => {
      const row = await findPayment(db, req.params.id);
      if (!row) throw notFound(`payment ${req.params.id}`);
      reply.header('vary', 'accept');
      if (wantsHal(req.headers.accept)) return sendHal(reply as FastifyReply, halItem(toView(row), `/payments/${row.id}`));
      return toView(row);
    },
  );
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
