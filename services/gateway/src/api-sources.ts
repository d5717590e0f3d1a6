// Where the public API's schemas come from: each service's own route definitions (the same schemas
// that validate its requests). They are registered on a documentation-only app whose handlers never
// run, so the dependencies they would use are stand-ins that fail loudly if touched.
import type { HttpApp } from '@airline/http';
import { dashboardRoutes } from '@airline/dashboard';
import { flightRoutes } from '@airline/flight';
import { mileageRoutes } from '@airline/mileage';
import { notificationRoutes } from '@airline/notification';
import { paymentRoutes } from '@airline/payment';
import { reservationRoutes, timelineRoutes } from '@airline/reservation';

export interface ApiSource {
  service: string;
  routes(app: HttpApp): void;
}

/** A dependency of a route handler on the documentation app: never used, since nothing is served. */
export const unused = new Proxy(
  {},
  {
    get(_target, name) {
      throw new Error(`documentation app: a route definition used its dependency (${String(name)}) while being registered`);
    },
  },
) as never;
const noop = () => {};

export const apiSources: ApiSource[] = [
  { service: 'flight', routes: (app) => flightRoutes(app, unused, unused, noop, unused) },
  { service: 'reservation', routes: (app) => reservationRoutes(app, unused, unused, noop, { holdTtlMs: 0 }) },
  { service: 'reservation', routes: (app) => timelineRoutes(app, unused, unused) },
  { service: 'payment', routes: (app) => paymentRoutes(app, unused, unused) },
  { service: 'mileage', routes: (app) => mileageRoutes(app, unused) },
  { service: 'notification', routes: (app) => notificationRoutes(app, unused, unused) },
  { service: 'dashboard', routes: (app) => dashboardRoutes(app, unused, unused) },
];
