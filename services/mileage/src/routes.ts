import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import type { Database } from '@airline/database';
import {
  DEFAULT_PAGE_SIZE,
  HAL_JSON,
  halPage,
  HalPageSchema,
  listOrHalPage,
  PagingQuery,
  sendHal,
  sortingOf,
  wantsHal,
  type HttpApp,
} from '@airline/http';
import { accountOf } from './mileage.js';
import {
  ACCOUNT_SORT_COLUMNS,
  accountPage,
  entryPage,
  listAccounts,
  listEntries,
  milesByKind,
  type AccountSortField,
} from './repository.js';

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
const CustomerParams = Type.Object({ customerId: Id });
const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.Optional(Type.String()),
  field: Type.Optional(Type.String()),
});

export const MileageAccountView = Type.Object(
  {
    customerId: Type.Integer(),
    balance: Type.Integer({ description: 'miles accrued minus miles reversed' }),
    accrued: Type.Integer(),
    reversed: Type.Integer(),
  },
  { title: 'MileageAccount' },
);

export const LedgerEntryView = Type.Object(
  {
    id: Type.Integer(),
    customerId: Type.Integer(),
    reservationId: Type.Integer(),
    kind: Type.Union([Type.Literal('ACCRUAL'), Type.Literal('REVERSAL')]),
    miles: Type.Integer({ description: 'positive for an accrual, negative for a reversal' }),
    fare: Type.Integer({ description: 'the amount paid the miles were computed from, in minor units of currency' }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code of fare', examples: ['KRW'] }),
    rateBasisPoints: Type.Integer({ description: '1000 = 10 % of the fare' }),
    eventId: Type.String(),
    occurredAt: Type.String(),
  },
  { title: 'LedgerEntry' },
);

const ACCOUNT_SORTABLE = Object.keys(ACCOUNT_SORT_COLUMNS) as AccountSortField[];
/** A ledger is in the order it was written: by id, which is by time. */
const ENTRY_SORTABLE = ['id', 'occurredAt'] as const;

/** An account's links: itself and its ledger. */
const accountLinks = (customerId: number) => ({
  self: { href: `/mileages/${customerId}` },
  ledger: { href: `/mileages/${customerId}/ledger{?page,size,sort}`, templated: true },
});

export function mileageRoutes(app: HttpApp, db: Database) {
  app.get(
    '/mileages',
    {
      schema: {
        tags: ['mileage'],
        summary: "Every customer's mileage account, in customer order (page with after=lastCustomerId, or with HAL page, size and sort)",
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          after: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647 })),
          ...PagingQuery,
        }),
        response: {
          200: listOrHalPage('The accounts (application/json), or a page of them (application/hal+json)', 'mileages', MileageAccountView),
          400: Problem,
        },
      },
    },
    async (req, reply) => {
      const q = req.query;
      reply.header('vary', 'accept');
      if (!wantsHal(req.headers.accept)) return listAccounts(db, { afterCustomerId: q.after ?? 0, limit: q.limit ?? 1000 });
      const sorting = sortingOf(q.sort, ACCOUNT_SORTABLE, 'customerId');
      const size = q.size ?? DEFAULT_PAGE_SIZE;
      const page = q.page ?? 0;
      const { accounts, total } = await accountPage(db, {
        offset: page * size,
        limit: size,
        sort: sorting.field,
        descending: sorting.descending,
      });
      return sendHal(
        reply as FastifyReply,
        halPage({
          collection: 'mileages',
          items: accounts,
          totalElements: total,
          path: '/mileages',
          query: { sort: q.sort },
          page,
          size,
          itemHref: (a) => `/mileages/${a.customerId}`,
          itemLinks: (a) => accountLinks(a.customerId),
        }),
      );
    },
  );

  app.get(
    '/mileages/:customerId',
    {
      schema: {
        tags: ['mileage'],
        summary: "A customer's mileage balance (0 for a customer who has not flown yet)",
        params: CustomerParams,
        response: {
          200: {
            description: 'The account (HAL with its self link and its ledger when asked for)',
            content: { 'application/json': { schema: MileageAccountView }, [HAL_JSON]: { schema: MileageAccountView } },
          },
        },
      },
    },
    async (req, reply) => {
      const account = accountOf(req.params.customerId, await milesByKind(db, req.params.customerId));
      reply.header('vary', 'accept');
      if (!wantsHal(req.headers.accept)) return account;
      return sendHal(reply as FastifyReply, { ...account, _links: accountLinks(account.customerId) });
    },
  );

  app.get(
    '/mileages/:customerId/ledger',
    {
      schema: {
        tags: ['mileage'],
        summary:
          "A customer's ledger, oldest first: one accrual per confirmed booking, one reversal per cancelled one (page with after=lastId, or with HAL page, size and sort)",
        params: CustomerParams,
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
          ...PagingQuery,
        }),
        response: {
          200: {
            description: 'The entries (application/json), or a page of them (application/hal+json)',
            content: {
              'application/json': { schema: Type.Array(LedgerEntryView) },
              [HAL_JSON]: { schema: HalPageSchema('ledgerEntries', LedgerEntryView) },
            },
          },
          400: Problem,
        },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const customerId = req.params.customerId;
      reply.header('vary', 'accept');
      if (!wantsHal(req.headers.accept)) return listEntries(db, customerId, { afterId: q.after ?? 0, limit: q.limit ?? 1000 });
      const sorting = sortingOf(q.sort, ENTRY_SORTABLE, 'id');
      const size = q.size ?? DEFAULT_PAGE_SIZE;
      const page = q.page ?? 0;
      const { entries, total } = await entryPage(db, customerId, { offset: page * size, limit: size, descending: sorting.descending });
      const path = `/mileages/${customerId}/ledger`;
      // an entry has no resource of its own: its self link is its place in the ledger
      return sendHal(
        reply as FastifyReply,
        halPage({
          collection: 'ledgerEntries',
          items: entries,
          totalElements: total,
          path,
          query: { sort: q.sort },
          page,
          size,
          itemHref: (e) => `${path}?after=${e.id - 1}&limit=1`,
        }),
      );
    },
  );
}
