import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import type { Database } from '@airline/database';
import { appendToOutbox, type Clock } from '@airline/outbox';
import { badRequest, CalendarDateOrTime, conflict, DATE_RANGE, idempotent, isCalendarDate, notFound, type HttpApp } from '@airline/http';
import type { AvailabilityView } from './availability.js';
import { decideCancelFlight, FIRST_FLIGHT_SEQ, flightCancelled, flightRegistered, type Flight as FlightModel } from './domain.js';
import { findFlight, insertFlight, seatAccounting, setFlightStatus } from './repository.js';

const MAX_SEATS = 100_000;

export const FlightInput = Type.Object(
  {
    flightCode: Type.String({ minLength: 1, maxLength: 16, pattern: '^[A-Za-z0-9-]+$', examples: ['ACE890'] }),
    takeoffDate: CalendarDateOrTime({ examples: ['2025-12-25'], description: `a day that exists, years ${DATE_RANGE.firstYear}–${DATE_RANGE.lastYear}; a time of day may follow` }),
    cost: Type.Integer({ minimum: 0, maximum: 100_000_000, description: 'fare per seat' }),
    remainingSeatsCount: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_SEATS, description: 'seeds: seats on sale; capacity when capacity is not given' })),
    capacity: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_SEATS })),
  },
  { description: 'Unknown fields (the seeds send id and status) are ignored: the server owns them.' },
);

export const Flight = Type.Object({
  id: Type.Integer(),
  flightCode: Type.String(),
  takeoffDate: Type.String(),
  cost: Type.Integer(),
  capacity: Type.Integer(),
  remainingSeatsCount: Type.Integer(),
  status: Type.Union([Type.Literal('SCHEDULED'), Type.Literal('CANCELLED')]),
});

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });
const Problem = Type.Object({ type: Type.String(), title: Type.String(), status: Type.Integer(), detail: Type.Optional(Type.String()), field: Type.Optional(Type.String()) });
const IdempotencyHeaders = Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) });

/**
 * Searches are answered from the availability view (availability.ts), without a database round trip.
 * A read that carries the ETag of what it saw last gets a 304 when nothing changed. `no-cache`: a cache
 * may keep the answer but must ask again each time, since seats left may change at any moment.
 */
const REVALIDATE = 'no-cache';

export function flightRoutes(app: HttpApp, db: Database, clock: Clock, onCommit: () => void, view: AvailabilityView) {
  app.post(
    '/flights',
    {
      schema: {
        tags: ['flights'],
        summary: 'Register a flight (staff)',
        body: FlightInput,
        headers: IdempotencyHeaders,
        response: { 201: Flight, 400: Problem, 422: Problem },
      },
    },
    async (req, reply) => {
      const input = req.body as Static<typeof FlightInput>;
      if (!isCalendarDate(input.takeoffDate)) throw badRequest(`takeoffDate is not a day that exists in ${DATE_RANGE.firstYear}–${DATE_RANGE.lastYear}`, 'takeoffDate');
      const capacity = input.capacity ?? input.remainingSeatsCount;
      if (capacity === undefined) throw badRequest('give capacity or remainingSeatsCount', 'capacity');
      const remaining = input.remainingSeatsCount ?? capacity;
      if (remaining > capacity) throw badRequest('remainingSeatsCount cannot exceed capacity', 'remainingSeatsCount');
      const result = await idempotent(db, req.headers['idempotency-key'], input, async (tx) => {
        const flight = await insertFlight(tx, { flightCode: input.flightCode, takeoffDate: input.takeoffDate, cost: input.cost, capacity, remainingSeatsCount: remaining });
        appendToOutbox(tx, [flightRegistered(flight)], { correlationId: `flight-${flight.id}`, causationId: req.id }, clock);
        return { status: 201, body: flight };
      });
      if (!result.replayed) onCommit();
      view.put(result.body, FIRST_FLIGHT_SEQ);
      reply.status(result.status as 201).header('location', `/flights/${result.body.id}`);
      return result.body;
    },
  );

  app.get(
    '/flights',
    { schema: { tags: ['flights'], summary: 'All flights with remaining seats', response: { 200: Type.Array(Flight), 304: Type.Null({ description: 'Not Modified: the If-None-Match ETag is current' }) } } },
    async (req, reply) => {
      const { json, etag } = view.list();
      reply.header('etag', etag).header('cache-control', REVALIDATE);
      if (req.headers['if-none-match'] === etag) return notModified(reply);
      return (reply as FastifyReply).type('application/json; charset=utf-8').send(json); // serialized once per change of the view
    },
  );

  app.get(
    '/flights/:id',
    { schema: { tags: ['flights'], params: IdParams, response: { 200: Flight, 404: Problem, 304: Type.Null({ description: 'Not Modified: the If-None-Match ETag is current' }) } } },
    async (req, reply) => {
      // a flight registered on another replica a moment ago may not be in this one's view yet
      const flight = view.get(req.params.id) ?? (await findFlight(db, req.params.id));
      if (!flight) throw notFound(`flight ${req.params.id}`);
      const etag = flightEtag(flight);
      reply.header('etag', etag).header('cache-control', REVALIDATE);
      if (req.headers['if-none-match'] === etag) return notModified(reply);
      return flight;
    },
  );

  app.get(
    '/flights/:id/seats',
    {
      schema: {
        tags: ['flights'],
        summary: 'Seat accounting: capacity = remaining + held + sold',
        params: IdParams,
        response: { 200: Type.Object({ capacity: Type.Integer(), remainingSeatsCount: Type.Integer(), held: Type.Integer(), sold: Type.Integer() }), 404: Problem },
      },
    },
    async (req) => {
      const flight = await findFlight(db, req.params.id);
      if (!flight) throw notFound(`flight ${req.params.id}`);
      const { held, sold } = await seatAccounting(db, flight.id);
      return { capacity: flight.capacity, remainingSeatsCount: flight.remainingSeatsCount, held, sold };
    },
  );

  app.post(
    '/flights/:id/cancel',
    { schema: { tags: ['flights'], summary: 'Cancel a flight (staff): every active reservation on it is cancelled and refunded', params: IdParams, response: { 200: Flight, 404: Problem, 409: Problem } } },
    async (req) => {
      const { flight, flightSeq } = await db.transaction(async (tx) => {
        const found = await findFlight(tx, req.params.id, true);
        if (!found) throw notFound(`flight ${req.params.id}`);
        const decision = decideCancelFlight(found);
        if (!decision.ok) throw conflict(`flight ${found.id} is already cancelled`);
        const { flightSeq } = await setFlightStatus(tx, found.id, 'CANCELLED');
        appendToOutbox(tx, [flightCancelled(found, flightSeq)], { correlationId: `flight-${found.id}`, causationId: req.id }, clock);
        return { flight: { ...found, status: 'CANCELLED' } satisfies FlightModel, flightSeq };
      });
      view.apply({ flightId: flight.id, flightSeq, status: 'CANCELLED' });
      onCommit();
      return flight;
    },
  );
}


/** 304: the copy the client holds is current (no body, whatever the route's 200 schema says). */
const notModified = (reply: unknown) => (reply as FastifyReply).status(304).send();

/** One flight's validator: its seats left and status are all that change. */
const flightEtag = (f: FlightModel) => `W/"${f.id}-${f.remainingSeatsCount}-${f.status}"`;
