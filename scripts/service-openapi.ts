// Each service's own OpenAPI document, made from its route definitions (the same schemas that validate
// its requests) and checked in beside it as services/<name>/openapi.json. `npm run openapi` writes them;
// a spec fails when one is stale. The gateway merges these files into the public document, so it needs
// no service's code. The routes are registered on a documentation-only app whose handlers never run:
// the dependencies they would use are stand-ins that fail loudly if touched.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import swagger from '@fastify/swagger';
import type { HttpApp } from '@airline/http';
import { dashboardRoutes } from '@airline/dashboard';
import { flightRoutes } from '@airline/flight';
import { mileageRoutes } from '@airline/mileage';
import { notificationRoutes } from '@airline/notification';
import { paymentRoutes } from '@airline/payment';
import { reservationRoutes, timelineRoutes } from '@airline/reservation';

// biome-ignore lint/suspicious/noExplicitAny: OpenAPI documents are walked as plain JSON
type Json = Record<string, any>;

/** A dependency of a route handler on the documentation app: never used, since nothing is served. */
const unused = new Proxy(
  {},
  {
    get(_target, name) {
      throw new Error(`documentation app: a route definition used its dependency (${String(name)}) while being registered`);
    },
  },
) as never;
const noop = () => {};

/** Every service whose routes the gateway forwards, and how its routes are registered. */
export const documentedServices: Record<string, (app: HttpApp) => void> = {
  flight: (app) => flightRoutes(app, unused, unused, noop, unused),
  reservation: (app) => {
    reservationRoutes(app, unused, unused, noop, { holdTtlMs: 0 });
    timelineRoutes(app, unused, unused);
  },
  payment: (app) => paymentRoutes(app, unused, unused),
  mileage: (app) => mileageRoutes(app, unused),
  notification: (app) => notificationRoutes(app, unused, unused),
  dashboard: (app) => dashboardRoutes(app, unused, unused),
};

/** Where a service's document is checked in. */
export const documentFile = (service: string) => fileURLToPath(new URL(`../services/${service}/openapi.json`, import.meta.url));

/** The service's document as its route definitions give it now. */
export async function serviceDocument(service: string): Promise<Json> {
  const routes = documentedServices[service];
  if (!routes) throw new Error(`no route definitions known for service ${service}`);
  const app = Fastify({ logger: false });
  const info = {
    title: `Airline reservations — the ${service} service`,
    version: '1.0.0',
    description: `The routes of the ${service} service, as it serves them behind the gateway (the public API is the gateway's document). Written by \`npm run openapi\`.`,
  };
  await app.register(swagger, { openapi: { openapi: '3.1.0', info } });
  routes(app as unknown as HttpApp);
  await app.ready();
  const doc = app.swagger() as unknown as Json;
  await app.close();
  // as written to the file: only JSON (no undefined, no functions)
  return JSON.parse(JSON.stringify(doc)) as Json;
}

export const readCheckedIn = (service: string): Json => JSON.parse(readFileSync(documentFile(service), 'utf8')) as Json;
