import { Type } from '@sinclair/typebox';
import type { Database } from '@airline/database';
import type { HttpApp } from '@airline/http';
import { accountOf } from './mileage.js';
import { listEntries, milesByKind } from './repository.js';

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
const CustomerParams = Type.Object({ customerId: Id });

export const MileageAccountView = Type.Object({
  customerId: Type.Integer(),
  balance: Type.Integer({ description: 'miles accrued minus miles reversed' }),
  accrued: Type.Integer(),
  reversed: Type.Integer(),
});

export const LedgerEntryView = Type.Object({
  id: Type.Integer(),
  customerId: Type.Integer(),
  reservationId: Type.Integer(),
  kind: Type.Union([Type.Literal('ACCRUAL'), Type.Literal('REVERSAL')]),
  miles: Type.Integer({ description: 'positive for an accrual, negative for a reversal' }),
  fare: Type.Integer({ description: 'the amount paid the miles were computed from' }),
  rateBasisPoints: Type.Integer({ description: '1000 = 10 % of the fare' }),
  eventId: Type.String(),
  occurredAt: Type.String(),
});

export function mileageRoutes(app: HttpApp, db: Database) {
  app.get(
    '/mileages/:customerId',
    {
      schema: {
        tags: ['mileage'],
        summary: "A customer's mileage balance (0 for a customer who has not flown yet)",
        params: CustomerParams,
        response: { 200: MileageAccountView },
      },
    },
    async (req) => accountOf(req.params.customerId, await milesByKind(db, req.params.customerId)),
  );

  app.get(
    '/mileages/:customerId/ledger',
    {
      schema: {
        tags: ['mileage'],
        summary: "A customer's ledger, oldest first: one accrual per confirmed booking, one reversal per cancelled one (page with after=lastId)",
        params: CustomerParams,
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
        }),
        response: { 200: Type.Array(LedgerEntryView) },
      },
    },
    async (req) => listEntries(db, req.params.customerId, { afterId: req.query.after ?? 0, limit: req.query.limit ?? 1000 }),
  );
}
