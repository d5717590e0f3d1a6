// The single public entry (port 8088): routes each resource to the service that owns it.
import proxy from '@fastify/http-proxy';
import { createHttpApp, type HttpApp } from '@airline/http';

export interface GatewayConfig {
  /** Base URL of each upstream service. */
  upstreams: Record<'flight' | 'reservation' | 'payment', string>;
}

/** Which service owns which path prefix. */
export const routes: Array<{ prefix: string; service: keyof GatewayConfig['upstreams'] }> = [
  { prefix: '/flights', service: 'flight' },
  { prefix: '/reservations', service: 'reservation' },
  { prefix: '/payments', service: 'payment' },
];

export async function buildGateway(config: GatewayConfig): Promise<HttpApp> {
  const app = createHttpApp({ service: 'gateway' });
  for (const r of routes) {
    await app.register(proxy, {
      upstream: config.upstreams[r.service],
      prefix: r.prefix,
      rewritePrefix: r.prefix,
      http: { requestOptions: { timeout: 10_000 } },
    });
  }
  return app;
}
