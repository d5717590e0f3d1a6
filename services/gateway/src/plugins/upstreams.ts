// The services behind the gateway (../upstream.ts): one connection pool each, a request sent again on a
// new connection when a replica stops or is gone (counted by upstream and reason), closed with the gateway.
import fp from 'fastify-plugin';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { HttpApp } from '@airline/http';
import { createUpstreams, type Upstreams } from '../upstream.js';

declare module 'fastify' {
  interface FastifyInstance {
    upstreams: Upstreams;
  }
}

export interface UpstreamsOptions {
  /** Base URL of each upstream service, by service name. */
  urls: Record<string, string>;
  connectTimeoutMs: number;
  timeoutMs: number;
  log: Logger;
}

export default fp<UpstreamsOptions>(
  async (app, { urls, connectTimeoutMs, timeoutMs, log }) => {
    const retries = new Counter({
      name: 'airline_gateway_upstream_retries_total',
      help: 'Requests the gateway sent a second time on a new connection (refused, reset, or a draining replica), by upstream and reason',
      labelNames: ['upstream', 'reason'],
      registers: [(app as unknown as HttpApp).metrics],
    });
    const upstreams = createUpstreams(urls, {
      connectTimeoutMs,
      timeoutMs,
      // a replica stopping (rolling restart) or gone: the request went again on a new connection
      onRetry: (service, req, why) => {
        retries.inc({ upstream: service, reason: why });
        log.info(
          { upstream: service, method: req.method, path: req.path.split('?')[0], requestId: req.headers?.['x-request-id'], why },
          'upstream request sent again on a new connection',
        );
      },
    });
    app.decorate('upstreams', upstreams);
    app.addHook('onClose', async () => {
      await upstreams.close();
    });
  },
  { name: 'upstreams', decorators: { fastify: ['metrics'] } },
);
