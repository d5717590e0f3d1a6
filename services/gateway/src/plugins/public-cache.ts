// The micro-cache of anonymous public reads (../public-cache.ts), used by the proxy; none when its
// time to live is 0 (every read is forwarded).
import fp from 'fastify-plugin';
import { PublicCache } from '../public-cache.js';

declare module 'fastify' {
  interface FastifyInstance {
    publicCache: PublicCache | undefined;
  }
}

export default fp<{ ttlMs: number }>(
  async (app, { ttlMs }) => {
    app.decorate('publicCache', ttlMs > 0 ? new PublicCache(ttlMs) : undefined);
  },
  { name: 'public-cache' },
);
