// May they: the policy table (../policy.ts) is enforced before the body is even read. No token on a
// protected endpoint is a 401, a customer on a staff endpoint a 403, and a method the table lacks for a
// path it has a 405. The gateway's own endpoints take their row with `ownEndpointsTakeTheirRow`.
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { HttpProblem, methodsOf } from '@airline/http';
import { policies, policyFor, routePolicy } from '../policy.js';

/**
 * An onRoute hook for the gateway's own endpoints: each takes its row of the policy table, and one
 * without a row is a mistake (thrown at start).
 */
export function ownEndpointsTakeTheirRow(route: RouteOptions) {
  if (route.config?.policy) return;
  const method = String(route.method);
  const policy = policyFor(method === 'HEAD' ? 'GET' : method, route.url);
  if (!policy) throw new Error(`gateway route ${method} ${route.url} has no row in the policy table`);
  route.config = { ...route.config, policy };
}

export default fp(
  async (app) => {
    // the methods each path of the public API takes (the policy table), for the 405s of the catch-alls
    const tableMethods = methodsOf({ maxParamLength: 2048 });
    for (const p of policies) tableMethods.add(p.method === 'GET' ? ['GET', 'HEAD'] : p.method, p.path);

    /**
     * A request that fell to a prefix's catch-all (admin-only) for a path the policy table has with other
     * methods is a 405 with those methods, for everyone: the method does not exist, whoever asks.
     */
    function refuseMethodsTheTableLacks(req: FastifyRequest, reply: FastifyReply) {
      const path = req.url.split('?')[0]!;
      const allowed = tableMethods.allowed(path);
      if (allowed.length === 0 || allowed.includes(req.method)) return;
      reply.header('allow', allowed.join(', '));
      throw new HttpProblem(405, 'Method not allowed', `${path} does not take ${req.method}; it takes ${allowed.join(', ')}`);
    }

    function authorize(req: FastifyRequest, reply: FastifyReply) {
      const policy = routePolicy(req);
      if (policy && !policies.includes(policy)) refuseMethodsTheTableLacks(req, reply);
      if (!policy || policy.access === 'public') return;
      if (!req.identity) {
        reply.header('www-authenticate', req.authError ? 'Bearer realm="airline", error="invalid_token"' : 'Bearer realm="airline"');
        throw new HttpProblem(401, 'Unauthorized', req.authError ?? 'this endpoint needs a bearer token: sign in with POST /auth/login');
      }
      if (policy.access === 'admin' && req.identity.role !== 'admin')
        throw new HttpProblem(403, 'Forbidden', 'this endpoint is for airline staff (role admin)');
    }

    app.addHook('preParsing', async (req, reply, payload) => {
      authorize(req, reply);
      return payload;
    });
  },
  { name: 'policy', dependencies: ['authentication'] },
);
