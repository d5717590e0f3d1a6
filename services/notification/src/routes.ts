import { Type } from '@sinclair/typebox';
import type { Database } from '@airline/database';
import { badRequest, notFound, type HttpApp } from '@airline/http';
import type { NotificationFeed } from './feed.js';
import { findNotification, listNotifications, toView, type NotificationView as View } from './repository.js';

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
const Kind = Type.Union([
  Type.Literal('RESERVATION_PLACED'),
  Type.Literal('RESERVATION_CONFIRMED'),
  Type.Literal('RESERVATION_CANCELLED'),
  Type.Literal('FLIGHT_CANCELLED'),
]);

export const NotificationView = Type.Object(
  {
    id: Type.Integer(),
    customerId: Type.Integer(),
    reservationId: Type.Integer(),
    bookingReference: Type.String(),
    kind: Kind,
    title: Type.String(),
    message: Type.String({ description: 'what happened, in plain words (a cancellation says why)' }),
    reason: Type.Union([Type.String(), Type.Null()], { description: 'cancel reason code of a cancellation' }),
    eventId: Type.String({ description: 'the event that caused it' }),
    occurredAt: Type.String(),
    createdAt: Type.String(),
    webhook: Type.Object({
      status: Type.Union([Type.Literal('DISABLED'), Type.Literal('PENDING'), Type.Literal('DELIVERED'), Type.Literal('FAILED')]),
      attempts: Type.Integer(),
      lastError: Type.Union([Type.String(), Type.Null()]),
      deliveredAt: Type.Union([Type.String(), Type.Null()]),
    }),
  },
  { title: 'Notification' },
);
const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.Optional(Type.String()),
  field: Type.Optional(Type.String()),
});

/**
 * The Last-Event-ID a reconnecting client sends: the decimal id of a notification this stream sent.
 * Anything else (empty, signs, spaces, 1e3, 0x10, beyond 15 digits) is refused, naming the header,
 * rather than read as some other position and replayed from there.
 */
export function lastEventIdFrom(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  if (typeof header === 'string' && /^(0|[1-9][0-9]{0,14})$/.test(header)) return Number(header);
  const shown = typeof header === 'string' ? JSON.stringify(header.slice(0, 40)) : 'several values';
  throw badRequest(
    `the Last-Event-ID header must be the id of a notification this stream sent (decimal digits, at most 15), not ${shown}`,
    'Last-Event-ID',
  );
}

export interface StreamOptions {
  /** A comment line this often keeps proxies from closing an idle stream (default 5 s). */
  heartbeatMs?: number;
}

export function notificationRoutes(app: HttpApp, db: Database, feed: NotificationFeed, options: StreamOptions = {}) {
  const heartbeatMs = options.heartbeatMs ?? 5_000;

  app.get(
    '/notifications',
    {
      schema: {
        tags: ['notifications'],
        summary: "A customer's notifications, oldest first (page with after=lastId)",
        querystring: Type.Object({
          customerId: Type.Optional(Id),
          reservationId: Type.Optional(Id),
          kind: Type.Optional(Kind),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          after: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
        }),
        response: { 200: Type.Array(NotificationView) },
      },
    },
    async (req) =>
      (await listNotifications(db, { ...req.query, afterId: req.query.after ?? 0, limit: req.query.limit ?? 1000 })).map(toView),
  );

  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of streams) end(); // open streams would otherwise keep the server from closing
  });

  app.get(
    '/notifications/stream',
    {
      schema: {
        tags: ['notifications'],
        summary: 'New notifications, live, as Server-Sent Events (event: notification, id: notification id; resumes after Last-Event-ID)',
        querystring: Type.Object({ customerId: Type.Optional(Id) }),
        response: {
          200: {
            description:
              'A stream of Server-Sent Events that stays open: `event: notification`, `id:` the notification id, `data:` the notification as JSON; comment lines keep it alive',
            content: {
              'text/event-stream': {
                schema: Type.String({ description: 'text/event-stream (https://html.spec.whatwg.org/multipage/server-sent-events.html)' }),
              },
            },
          },
          400: Problem,
        },
        headers: Type.Object({
          'last-event-id': Type.Optional(
            Type.String({
              description: 'the id of the last notification received (decimal digits): the stream first sends what came after it',
            }),
          ),
        }),
      },
    },
    async (req, reply) => {
      const customerId = req.query.customerId;
      const lastEventId = lastEventIdFrom(req.headers['last-event-id']);

      // live first, so nothing committed while the backlog is read is missed; the backlog's ids are not sent twice
      const queued: View[] = [];
      let send: ((n: View) => void) | undefined;
      const sentInBacklog = new Set<number>();
      const unsubscribe = feed.subscribe(customerId, (n) => {
        if (!send) queued.push(n);
        else if (!sentInBacklog.has(n.id)) send(n);
      });
      let backlog: View[] = [];
      try {
        // read before the stream opens: a failure is an error response, not a stream that just ends
        if (lastEventId !== undefined)
          backlog = (await listNotifications(db, { customerId, afterId: lastEventId, limit: 1000 })).map(toView);
      } catch (err) {
        unsubscribe();
        throw err;
      }

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      const write = (n: View) => res.write(`id: ${n.id}\nevent: notification\ndata: ${JSON.stringify(n)}\n\n`);
      res.write(`retry: 2000\n: stream of notifications${customerId ? ` for customer ${customerId}` : ''}\n\n`);
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), heartbeatMs);
      const end = () => {
        clearInterval(heartbeat);
        unsubscribe();
        streams.delete(end);
        if (!res.writableEnded) res.end();
      };
      streams.add(end);
      res.once('close', end); // the client went away (or the stream was ended)
      if (res.destroyed) return end(); // it went away while the backlog was read
      for (const view of backlog) {
        sentInBacklog.add(view.id);
        write(view);
      }
      send = write;
      for (const n of queued.splice(0)) if (!sentInBacklog.has(n.id)) write(n);
    },
  );

  app.get(
    '/notifications/:id',
    {
      schema: {
        tags: ['notifications'],
        summary: 'One notification',
        params: Type.Object({ id: Id }),
        response: { 200: NotificationView, 404: Problem },
      },
    },
    async (req) => {
      const row = await findNotification(db, req.params.id);
      if (!row) throw notFound(`notification ${req.params.id}`);
      return toView(row);
    },
  );
}
