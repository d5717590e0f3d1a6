// Every service shows its parked events and can redrive them (operators, the staff UI, `npm run dlq`).
import { Type } from '@sinclair/typebox';
import type { Database } from '@airline/database';
import type { HttpApp } from '@airline/http';
import { listDeadLetters, redriveDeadLetters, type Consumer } from '@airline/outbox';

export const DeadLetter = Type.Object({
  id: Type.Integer(),
  consumer: Type.String(),
  eventId: Type.String(),
  eventType: Type.String(),
  error: Type.String(),
  attempts: Type.Integer(),
  parkedAt: Type.String(),
  event: Type.Unknown(),
});

export const RedriveInput = Type.Object({ ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 1000 })) });
export const RedriveOutcome = Type.Object({
  id: Type.Integer(),
  eventId: Type.String(),
  outcome: Type.String(),
  error: Type.Optional(Type.String()),
});

export function deadLetterRoutes(app: HttpApp, db: Database, consumers: Consumer[]) {
  app.get(
    '/dead-letters',
    { schema: { tags: ['operations'], summary: 'Events parked after failing every retry', response: { 200: Type.Array(DeadLetter) } } },
    () => listDeadLetters(db),
  );
  app.post(
    '/dead-letters/redrive',
    {
      schema: {
        tags: ['operations'],
        summary: 'Hand parked events to their consumer again (all, or the given ids)',
        body: RedriveInput,
        response: { 200: Type.Array(RedriveOutcome) },
      },
    },
    async (req) => redriveDeadLetters(db, consumers, (req.body as { ids?: number[] }).ids),
  );
}
