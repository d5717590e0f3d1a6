// The gateway's management port: /health/live, /health/ready and /metrics for the orchestrator's
// probes and Prometheus, with no token. It is not the public port: on that one readiness (which
// dependency is down, and why) and metrics (every route's counts and statuses) are staff-only (policy.ts),
// and the Ingress publishes only the public port. Bind it where only the cluster reaches it (the pod's
// address, behind a NetworkPolicy) or to loopback.
import Fastify, { type FastifyInstance } from 'fastify';
import type { HttpApp } from '@airline/http';

export interface ManagementOptions {
  /** 0: any free port (tests). */
  port: number;
  host: string;
}

export interface ManagementServer {
  /** Where it listens (after the gateway is ready). */
  url(): string;
}

const READINESS_TIMEOUT_MS = 2_000;

/** Serves the gateway's health and metrics on their own port, from when the gateway is ready until it closes. */
export function managementServer(gateway: HttpApp, options: ManagementOptions): ManagementServer {
  const app: FastifyInstance = Fastify({ logger: false, forceCloseConnections: true });
  let closing = false;
  let url: string | undefined;

  app.get('/health/live', async () => ({ status: 'UP', service: 'gateway' }));
  app.get('/health/ready', async (_req, reply) => {
    const checks: Record<string, string> = {};
    // this port listens from onReady, a moment before the public one: not ready until that one is
    let ready = !closing && gateway.server.listening;
    if (closing) checks.gateway = 'DOWN: shutting down';
    else if (!gateway.server.listening) checks.gateway = 'DOWN: not listening yet';
    for (const [name, check] of Object.entries(gateway.readiness)) {
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), READINESS_TIMEOUT_MS).unref()),
        ]);
        checks[name] = 'UP';
      } catch (err) {
        ready = false;
        checks[name] = `DOWN: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'UP' : 'DOWN', service: 'gateway', checks });
  });
  app.get('/metrics', async (_req, reply) => reply.type(gateway.metrics.contentType).send(await gateway.metrics.metrics()));

  gateway.addHook('onReady', async () => {
    await app.listen({ port: options.port, host: options.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    url = `http://${options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host}:${port}`;
  });
  // not ready as soon as the gateway starts to stop (its endpoint leaves the Service); gone once it has
  gateway.addHook('preClose', async () => {
    closing = true;
  });
  gateway.addHook('onClose', async () => {
    await app.close();
  });
  return {
    url: () => {
      if (!url) throw new Error('the management port listens once the gateway is ready');
      return url;
    },
  };
}

/** MANAGEMENT_PORT, default 9088 (the public port is 8088). */
export function managementPort(env: NodeJS.ProcessEnv): number {
  const raw = env.MANAGEMENT_PORT;
  if (raw === undefined || raw === '') return 9088;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`MANAGEMENT_PORT must be a port number, not ${JSON.stringify(raw)}`);
  return port;
}
