// Who is calling: the bearer token is verified on every request to a protected endpoint, before the
// rate limit counts it (so a token is limited as itself) and before the policy decides. A token refused
// is remembered as the reason, for the 401 the policy gives.
import fp from 'fastify-plugin';
import { createTokenService, TokenRejected, type Identity, type TokenService, type TokenSettings } from '../auth/tokens.js';
import type { SigningKey } from '../auth/signing-key.js';
import { routePolicy } from '../policy.js';

declare module 'fastify' {
  interface FastifyInstance {
    tokens: TokenService;
  }
  interface FastifyRequest {
    /** Who sent the request, from a verified bearer token; null when anonymous. */
    identity: Identity | null;
    /** Why the bearer token sent was refused (401 on protected endpoints). */
    authError: string | null;
  }
}

const BEARER = /^Bearer +([A-Za-z0-9\-_.~+/]+=*)$/i;

export default fp<{ signingKey: SigningKey; settings: TokenSettings }>(
  async (app, { signingKey, settings }) => {
    const tokens = await createTokenService(signingKey, settings);
    app.decorate('tokens', tokens);
    app.decorateRequest('identity', null);
    app.decorateRequest('authError', null);
    app.addHook('onRequest', async (req) => {
      const policy = routePolicy(req);
      const header = req.headers.authorization;
      if (!policy || policy.access === 'public' || header === undefined) return;
      const bearer = BEARER.exec(header);
      if (!bearer) {
        req.authError = 'the Authorization header must be "Bearer <token>"';
        return;
      }
      try {
        req.identity = await tokens.verify(bearer[1]!);
      } catch (err) {
        if (!(err instanceof TokenRejected)) throw err;
        req.authError = err.message;
      }
    });
  },
  { name: 'authentication' },
);
