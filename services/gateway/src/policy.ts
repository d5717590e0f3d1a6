// Who may do what through the gateway: one row per public endpoint. The gateway enforces this table
// and documents it (OpenAPI security and descriptions come from the same rows).
//
//   public — anyone, no token needed
//   user   — any signed-in user; a customer is confined to their own data by `own`, an admin is not
//   admin  — the admin role only (a customer gets 403)
//
// A path the routing table sends to a service but that has no row here is admin-only: a new
// endpoint is closed until someone decides who may use it.
import type { FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    policy?: Policy;
  }
}

export type Access = 'public' | 'user' | 'admin';

/** How a customer is kept to their own data (admins are not). */
export type Ownership =
  /** The request body's customerId is replaced by the token's. */
  | { kind: 'body' }
  /** The query's customerId is replaced by the token's (list endpoints). */
  | { kind: 'query' }
  /** The path parameter must be the token's customerId, else 404. */
  | { kind: 'param'; param: string; noun: string }
  /** The resource read must carry the token's customerId, else 404 (the upstream's answer is checked). */
  | { kind: 'response'; param: string; noun: string }
  /** Before forwarding, `lookup` (a resource with a customerId) is read; not the caller's → 404. */
  | { kind: 'lookup'; lookup: string; param: string; noun: string };

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
export const METHODS: Method[] = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];

export interface Policy {
  method: Method;
  /** Gateway path, Fastify syntax (`:id`). */
  path: string;
  access: Access;
  own?: Ownership;
}

const reservation = { param: 'id', noun: 'reservation' } as const;
const ownReservation = { kind: 'lookup', lookup: '/reservations/:id', ...reservation } as const;

export const policies: Policy[] = [
  // the gateway's own endpoints
  { method: 'POST', path: '/auth/login', access: 'public' },
  { method: 'GET', path: '/auth/me', access: 'user' },
  { method: 'GET', path: '/.well-known/jwks.json', access: 'public' },
  { method: 'GET', path: '/sandbox/test-cards', access: 'public' },
  // a card becomes a token before a booking is sent, as hosted card fields do: the number goes to the
  // processor's vault and nowhere else (rate-limited like every public endpoint)
  { method: 'POST', path: '/sandbox/payment-methods', access: 'public' },
  // health and metrics (every service app has them): on this public port readiness (which dependency is
  // down, and why) and metrics (every route's counts) are staff's; probes and Prometheus use the
  // management port (management.ts). Liveness says nothing but "up".
  { method: 'GET', path: '/health/live', access: 'public' },
  { method: 'GET', path: '/health/ready', access: 'admin' },
  { method: 'GET', path: '/metrics', access: 'admin' },
  // flights: the catalog is public, changing it is staff work
  { method: 'GET', path: '/flights', access: 'public' },
  { method: 'GET', path: '/flights/:id', access: 'public' },
  { method: 'GET', path: '/flights/:id/seats', access: 'public' },
  { method: 'GET', path: '/airports', access: 'public' },
  { method: 'GET', path: '/airports/:code', access: 'public' },
  { method: 'POST', path: '/flights', access: 'admin' },
  { method: 'POST', path: '/flights/:id/cancel', access: 'admin' },
  // reservations: a customer books as themselves and sees and cancels only their own
  { method: 'POST', path: '/reservations', access: 'user', own: { kind: 'body' } },
  { method: 'GET', path: '/reservations', access: 'user', own: { kind: 'query' } },
  { method: 'GET', path: '/reservations/limits', access: 'admin' },
  { method: 'GET', path: '/reservations/:id', access: 'user', own: { kind: 'response', ...reservation } },
  {
    method: 'GET',
    path: '/reservations/by-reference/:bookingReference',
    access: 'user',
    own: { kind: 'response', param: 'bookingReference', noun: 'booking' },
  },
  { method: 'POST', path: '/reservations/:id/cancel', access: 'user', own: ownReservation },
  { method: 'DELETE', path: '/reservations/:id', access: 'user', own: ownReservation },
  { method: 'PUT', path: '/reservations/:id/passengers', access: 'user', own: ownReservation },
  { method: 'GET', path: '/reservations/:id/timeline', access: 'user', own: ownReservation },
  // payments
  { method: 'GET', path: '/payments', access: 'user', own: { kind: 'query' } },
  { method: 'GET', path: '/payments/:id', access: 'user', own: { kind: 'response', param: 'id', noun: 'payment' } },
  { method: 'GET', path: '/payments/processor', access: 'admin' },
  { method: 'POST', path: '/payments/:id/retry-refund', access: 'admin' },
  // mileage, notifications, history: the customer's own
  { method: 'GET', path: '/mileages/:customerId', access: 'user', own: { kind: 'param', param: 'customerId', noun: 'customer' } },
  { method: 'GET', path: '/mileages/:customerId/ledger', access: 'user', own: { kind: 'param', param: 'customerId', noun: 'customer' } },
  { method: 'GET', path: '/notifications', access: 'user', own: { kind: 'query' } },
  { method: 'GET', path: '/notifications/stream', access: 'user', own: { kind: 'query' } },
  { method: 'GET', path: '/notifications/:id', access: 'user', own: { kind: 'response', param: 'id', noun: 'notification' } },
  { method: 'GET', path: '/reservationHistory', access: 'user', own: { kind: 'query' } },
  // dashboards and operations: staff only
  { method: 'GET', path: '/customerInfos', access: 'admin' },
  { method: 'GET', path: '/customerInfos/:customerId', access: 'admin' },
  { method: 'GET', path: '/flightBoard', access: 'admin' },
  { method: 'GET', path: '/flightBoard/:flightId', access: 'admin' },
  { method: 'GET', path: '/dead-letters', access: 'admin' },
  { method: 'GET', path: '/dead-letters/:service', access: 'admin' },
  { method: 'POST', path: '/dead-letters/:service/redrive', access: 'admin' },
];

/** The row for an endpoint not in the table: closed to all but admins. */
export const defaultPolicy = (method: Method, path: string): Policy => ({ method, path, access: 'admin' });

export function policyFor(method: string, path: string): Policy | undefined {
  return policies.find((p) => p.method === method && p.path === path);
}

/**
 * The row of the policy table a request's route takes: the one in its config (the gateway's own
 * endpoints and what it forwards). Routes the app had before the gateway's own (health and metrics,
 * from createHttpApp) are looked up by path; the docs and the web UI have no row: public.
 */
export function routePolicy(req: FastifyRequest): Policy | undefined {
  const config = req.routeOptions.config.policy;
  if (config) return config;
  const url = req.routeOptions.url;
  return url ? policyFor(req.method === 'HEAD' ? 'GET' : req.method, url) : undefined;
}
