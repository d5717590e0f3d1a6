// Security headers (a content security policy for the web UI and the docs) and CORS for the origins
// configured (none by default: the UI is served from the gateway itself).
import fp from 'fastify-plugin';
import cors from '@fastify/cors';
import helmet from 'helmet';
import { METHODS } from '../policy.js';

/**
 * Helmet's middleware, built once. (@fastify/helmet 13 builds it again for every request, parsing the
 * policy each time: about a tenth of the gateway's CPU on a search, measured with a CPU profile.)
 */
const securityHeaders = helmet({
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      frameAncestors: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      // served over plain http on a laptop: upgrading would break every asset
      upgradeInsecureRequests: null,
    },
  },
});

export default fp<{ corsOrigins: string[] }>(
  async (app, { corsOrigins }) => {
    app.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, (err?: unknown) => done(err as Error)));
    await app.register(cors, {
      origin: corsOrigins.length > 0 ? corsOrigins : false,
      methods: METHODS,
      allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'last-event-id', 'accept'],
      exposedHeaders: ['location', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'],
      maxAge: 600,
    });
  },
  { name: 'headers' },
);
