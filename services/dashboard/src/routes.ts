import { Type } from '@sinclair/typebox';
import type { Database } from '@airline/database';
import { HttpProblem, notFound, type HttpApp } from '@airline/http';
import type { EventLogReader } from '@airline/messaging';
import { remainingSeats } from './projections.js';
import { READ_MODEL_TABLES, RebuildInProgress, rebuildReadModels } from './rebuild.js';

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.Optional(Type.String()),
  field: Type.Optional(Type.String()),
});

export const CustomerInfo = Type.Object(
  {
    customerId: Type.Integer(),
    flightCount: Type.Integer({ description: 'reservations placed (seed 000)' }),
    recentReserveDate: Type.Union([Type.String(), Type.Null()], { description: 'latest reserveDate of their reservations (seed 000)' }),
    confirmedCount: Type.Integer({ description: 'reservations confirmed now (a confirmed one that is cancelled counts as cancelled)' }),
    cancelledCount: Type.Integer({ description: 'reservations cancelled, whatever the reason' }),
  },
  { title: 'CustomerInfo' },
);

export const FlightBoardEntry = Type.Object(
  {
    flightId: Type.Integer(),
    flightCode: Type.Union([Type.String(), Type.Null()]),
    takeoffDate: Type.Union([Type.String(), Type.Null()]),
    capacity: Type.Union([Type.Integer(), Type.Null()]),
    remainingSeatsCount: Type.Union([Type.Integer(), Type.Null()], { description: 'null until the flight registration is seen' }),
    seatsTaken: Type.Integer({ description: 'seats held or sold' }),
    soldOutCount: Type.Integer({ description: 'bookings turned away for lack of seats' }),
    status: Type.Union([Type.Literal('SCHEDULED'), Type.Literal('CANCELLED')]),
    lastActivity: Type.Union([
      Type.Object({
        type: Type.String(),
        at: Type.String(),
        reservationId: Type.Union([Type.Integer(), Type.Null()]),
        summary: Type.String(),
      }),
      Type.Null(),
    ]),
  },
  { title: 'FlightBoardEntry' },
);

export const HistoryEntry = Type.Object(
  {
    eventId: Type.String(),
    reservationId: Type.Integer(),
    customerId: Type.Union([Type.Integer(), Type.Null()]),
    type: Type.String(),
    occurredAt: Type.String(),
    summary: Type.String(),
    data: Type.Record(Type.String(), Type.Unknown()),
  },
  { title: 'HistoryEntry' },
);

type CustomerInfoRow = {
  customer_id: number;
  flight_count: number;
  recent_reserve_date: string | null;
  confirmed_count: number;
  cancelled_count: number;
};
const toCustomerInfo = (r: CustomerInfoRow) => ({
  customerId: r.customer_id,
  flightCount: r.flight_count,
  recentReserveDate: r.recent_reserve_date,
  confirmedCount: r.confirmed_count,
  cancelledCount: r.cancelled_count,
});

type BoardRow = {
  flight_id: number;
  flight_code: string | null;
  takeoff_date: string | null;
  capacity: number | null;
  registered_remaining: number | null;
  seats_taken: number;
  sold_out_count: number;
  status: 'SCHEDULED' | 'CANCELLED';
  last_activity_type: string | null;
  last_activity_at: Date | string | null;
  last_activity_reservation_id: number | null;
  last_activity_summary: string | null;
};
const toBoardEntry = (r: BoardRow) => ({
  flightId: r.flight_id,
  flightCode: r.flight_code,
  takeoffDate: r.takeoff_date,
  capacity: r.capacity,
  remainingSeatsCount: remainingSeats(r.registered_remaining, r.seats_taken),
  seatsTaken: r.seats_taken,
  soldOutCount: r.sold_out_count,
  status: r.status,
  lastActivity:
    r.last_activity_type && r.last_activity_at
      ? {
          type: r.last_activity_type,
          at: new Date(r.last_activity_at).toISOString(),
          reservationId: r.last_activity_reservation_id,
          summary: r.last_activity_summary ?? '',
        }
      : null,
});

type HistoryRow = {
  event_id: string;
  reservation_id: number;
  customer_id: number | null;
  type: string;
  occurred_at: Date | string;
  summary: string;
  data: Record<string, unknown>;
};

export function dashboardRoutes(app: HttpApp, db: Database, eventLog: EventLogReader | undefined) {
  app.get(
    '/customerInfos',
    {
      schema: {
        tags: ['dashboard'],
        summary: 'Per customer: reservations placed, latest reservation date, confirmed and cancelled (seed 000)',
        response: { 200: Type.Array(CustomerInfo) },
      },
    },
    async () => (await db.query<CustomerInfoRow>('SELECT * FROM customer_infos ORDER BY customer_id')).rows.map(toCustomerInfo),
  );
  app.get(
    '/customerInfos/:customerId',
    {
      schema: {
        tags: ['dashboard'],
        summary: "One customer's reservations placed, latest reservation date, confirmed and cancelled",
        params: Type.Object({ customerId: Id }),
        response: { 200: CustomerInfo, 404: Problem },
      },
    },
    async (req) => {
      const row = (await db.query<CustomerInfoRow>('SELECT * FROM customer_infos WHERE customer_id = $1', [req.params.customerId])).rows[0];
      if (!row) throw notFound(`customer ${req.params.customerId} on the dashboard`);
      return toCustomerInfo(row);
    },
  );

  app.get(
    '/flightBoard',
    {
      schema: {
        tags: ['dashboard'],
        summary: 'Flight status board: remaining seats and latest activity per flight (seed 001)',
        response: { 200: Type.Array(FlightBoardEntry) },
      },
    },
    async () => (await db.query<BoardRow>('SELECT * FROM flight_board ORDER BY flight_id')).rows.map(toBoardEntry),
  );
  app.get(
    '/flightBoard/:flightId',
    {
      schema: {
        tags: ['dashboard'],
        summary: "One flight's remaining seats and latest activity",
        params: Type.Object({ flightId: Id }),
        response: { 200: FlightBoardEntry, 404: Problem },
      },
    },
    async (req) => {
      const row = (await db.query<BoardRow>('SELECT * FROM flight_board WHERE flight_id = $1', [req.params.flightId])).rows[0];
      if (!row) throw notFound(`flight ${req.params.flightId} on the board`);
      return toBoardEntry(row);
    },
  );

  app.get(
    '/reservationHistory',
    {
      schema: {
        tags: ['dashboard'],
        summary: "Every event of a customer's bookings (or everyone's, for staff), in the order they happened (seeds 002/003)",
        querystring: Type.Object({
          customerId: Type.Optional(Id),
          reservationId: Type.Optional(Id),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
        }),
        response: { 200: Type.Array(HistoryEntry) },
      },
    },
    async (req) => {
      const r = await db.query<HistoryRow>(
        `SELECT event_id, reservation_id, customer_id, type, occurred_at, summary, data FROM reservation_history
         WHERE ($1::int IS NULL OR customer_id = $1) AND ($2::int IS NULL OR reservation_id = $2)
         ORDER BY occurred_at, reservation_id, step, event_id LIMIT $3`,
        [req.query.customerId ?? null, req.query.reservationId ?? null, req.query.limit ?? 10_000],
      );
      return r.rows.map((x) => ({
        eventId: x.event_id,
        reservationId: x.reservation_id,
        customerId: x.customer_id,
        type: x.type,
        occurredAt: new Date(x.occurred_at).toISOString(),
        summary: x.summary,
        data: x.data,
      }));
    },
  );

  app.post(
    '/read-models/rebuild',
    {
      schema: {
        tags: ['operations'],
        summary: 'Rebuild every read model from the event log (`npm run rebuild -- dashboard`)',
        response: {
          200: Type.Object({
            events: Type.Integer(),
            lastSeq: Type.Integer(),
            tookMs: Type.Integer(),
            tables: Type.Object(Object.fromEntries(READ_MODEL_TABLES.map((t) => [t, Type.Integer()]))),
          }),
          409: Problem,
          503: Problem,
        },
      },
    },
    async () => {
      if (!eventLog) throw new HttpProblem(503, 'Event log not readable', 'this deployment gives the dashboard no reader of the event log');
      try {
        return await rebuildReadModels(db, eventLog);
      } catch (err) {
        if (err instanceof RebuildInProgress) throw new HttpProblem(409, 'Conflict', err.message);
        throw err;
      }
    },
  );
}
