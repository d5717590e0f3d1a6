// How often: per token when one was verified (authentication), else per address; a login has its own
// tighter limit (the endpoints declare it). Off when the settings say so.
import fp from 'fastify-plugin';
import rateLimit from '@fastify/rate-limit';
import { HttpProblem } from '@airline/http';
import type { GatewaySettings } from '../settings.js';

export default fp<{ rateLimit: GatewaySettings['rateLimit'] }>(
  async (app, { rateLimit: limits }) => {
    if (!limits) return;
    await app.register(rateLimit, {
      max: limits.max,
      timeWindow: limits.windowMs,
      keyGenerator: (req) => (req.identity ? `token:${req.identity.issuer}|${req.identity.subject}` : `ip:${req.ip}`),
      errorResponseBuilder: (_req, ctx) =>
        new HttpProblem(
          429,
          'Too many requests',
          `at most ${ctx.max} requests in ${ctx.after}; try again in ${Math.ceil(ctx.ttl / 1000)} s`,
        ),
    });
  },
  { name: 'rate-limit', dependencies: ['authentication'] },
);
