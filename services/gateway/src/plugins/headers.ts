// Security headers (a content security policy for the web UI and the docs) and CORS for the origins
// configured (none by default: the UI is served from the gateway itself).
import fp from 'fastify-plugin';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import { METHODS } from '../policy.js';

export default fp<{ corsOrigins: string[] }>(
  async (app, { corsOrigins }) => {
    await app.register(helmet, {
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
