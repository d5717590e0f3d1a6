// The single public entry (port 8088): routes each resource to the service that owns it.
import proxy from '@fastify/http-proxy';
import { createHttpApp, type HttpApp } from '@airline/http';
import { webUi } from './ui.js';

export interface GatewayConfig {
  /** Base URL of each upstream service, by service name. */
  upstreams: Record<string, string>;
}

/** Which service owns which path prefix (one row per public resource). */
export const routes: Array<{ prefix: string; service: string; rewritePrefix?: string }> = [
  { prefix: '/flights', service: 'flight' },
  { prefix: '/reservations', service: 'reservation' },
  { prefix: '/payments', service: 'payment' },
];

export async function buildGateway(config: GatewayConfig): Promise<HttpApp> {
  const app = createHttpApp({ service: 'gateway' });
  for (const r of routes) {
    const upstream = config.upstreams[r.service];
    if (!upstream) continue; // that service does not run in this deployment
    await app.register(proxy, {
      upstream,
      prefix: r.prefix,
      rewritePrefix: r.rewritePrefix ?? r.prefix,
      http: { requestOptions: { timeout: 10_000 } },
    });
  }
  await app.register(webUi); // the web UI at /, after the API routes (ui.ts)
  return app;
}
