// The gateway's own endpoints: signing in (../auth/routes.ts) and what is no one service's resource
// (../operations.ts: the sandbox's test cards, every service's dead letters). Encapsulated, so that
// the rule "each takes its row of the policy table" holds for these routes only: the docs and the web
// UI, registered elsewhere, have no row and are public.
import fp from 'fastify-plugin';
import type { Database } from '@airline/database';
import type { HttpApp } from '@airline/http';
import { loginThrottle } from '../auth/login-throttle.js';
import { authRoutes } from '../auth/routes.js';
import { operationsRoutes } from '../operations.js';
import type { GatewaySettings } from '../settings.js';
import { ownEndpointsTakeTheirRow } from './policy.js';

export interface EndpointsOptions {
  /** The gateway's own database (users, failed sign-ins). */
  db: Database;
  rateLimit: GatewaySettings['rateLimit'];
  loginThrottle: GatewaySettings['loginThrottle'];
}

export default fp<EndpointsOptions>(
  async (app, { db, rateLimit, loginThrottle: throttleSettings }) => {
    app.addHook('onRoute', ownEndpointsTakeTheirRow);
    const throttle = throttleSettings ? loginThrottle(db, throttleSettings) : undefined;
    const loginRateLimit = rateLimit ? { max: rateLimit.loginMax, timeWindow: rateLimit.windowMs } : false;
    authRoutes(app as unknown as HttpApp, db, app.tokens, loginRateLimit, throttle);
    operationsRoutes(app as unknown as HttpApp, app.upstreams);
  },
  // the schemas are collected (route-schemas) and the login's own limit applied (rate-limit) as they are declared
  { name: 'endpoints', encapsulate: true, dependencies: ['authentication', 'policy', 'rate-limit', 'upstreams', 'route-schemas'] },
);
