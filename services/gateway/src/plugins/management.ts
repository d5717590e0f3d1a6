// The management port (../management.ts): /health/*, /metrics for probes and Prometheus, no token.
// Listens from the gateway's onReady, closes with it.
import fp from 'fastify-plugin';
import type { HttpApp } from '@airline/http';
import { managementServer, type ManagementOptions, type ManagementServer } from '../management.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The management port, when configured. */
    management: ManagementServer | undefined;
  }
}

export default fp<{ options: ManagementOptions | undefined }>(
  async (app, { options }) => {
    app.decorate('management', options ? managementServer(app as unknown as HttpApp, options) : undefined);
  },
  // the service app's readiness checks and metrics (createHttpApp), served on the other port
  { name: 'management', decorators: { fastify: ['readiness', 'metrics'] } },
);
