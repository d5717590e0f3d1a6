// Forwarding (../proxy.ts): every row of the policy table whose service runs here becomes a route to
// that service; what else a routed prefix holds is forwarded for admins only, until the table says
// otherwise. The gateway's own endpoints (registered first) keep their paths.
import fp from 'fastify-plugin';
import { defaultPolicy, METHODS, policies, type Policy } from '../policy.js';
import { proxyHandler } from '../proxy.js';
import { resolveRoute, type ResolvedRoute, type RouteRow } from '../routing.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The rows of the policy table that are forwarded, and where to (the documented ones). */
    forwarded: ReadonlyMap<Policy, ResolvedRoute>;
  }
}

export default fp<{ routes: RouteRow[] }>(
  async (app, { routes }) => {
    const { upstreams, publicCache } = app;
    const proxy = proxyHandler({ routes, upstreams, publicCache });
    const forwarded = new Map<Policy, ResolvedRoute>();
    for (const policy of policies) {
      if (app.hasRoute({ method: policy.method, url: policy.path })) continue; // the gateway's own
      const target = resolveRoute(routes, policy.path);
      if (!target || !upstreams.has(target.service)) continue;
      app.route({ method: policy.method, url: policy.path, config: { policy }, schema: { hide: true }, handler: proxy });
      forwarded.set(policy, target);
    }
    for (const row of routes) {
      if (!upstreams.has(row.service)) continue;
      for (const url of [row.prefix, `${row.prefix}/*`]) {
        for (const method of METHODS) {
          if (app.hasRoute({ method, url })) continue;
          app.route({ method, url, config: { policy: defaultPolicy(method, url) }, schema: { hide: true }, handler: proxy });
        }
      }
    }
    app.decorate('forwarded', forwarded);
  },
  { name: 'proxy', dependencies: ['json-body', 'authentication', 'policy', 'upstreams', 'public-cache', 'endpoints'] },
);
