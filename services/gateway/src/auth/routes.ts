// Signing in, who am I, and the public key that checks the gateway's tokens.
import { Type, type Static } from '@sinclair/typebox';
import type { Database } from '@airline/database';
import { HttpProblem, type HttpApp } from '@airline/http';
import { loginSource, type LoginThrottle } from './login-throttle.js';
import { hashForUnknownUser, verifyPassword } from './passwords.js';
import type { TokenService } from './tokens.js';
import { findUser } from './users.js';

export const UserView = Type.Object(
  {
    username: Type.String(),
    role: Type.Union([Type.Literal('customer'), Type.Literal('admin')]),
    customerId: Type.Union([Type.Integer(), Type.Null()], { description: 'the customer this user acts as; null for an admin' }),
  },
  { title: 'User' },
);

export const LoginInput = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 100 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
});

export const LoginAnswer = Type.Object({
  token: Type.String({ description: 'send as `Authorization: Bearer <token>`' }),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'seconds until the token expires' }),
  user: UserView,
});

const Jwk = Type.Object({
  kty: Type.String(),
  kid: Type.String(),
  alg: Type.String(),
  use: Type.String(),
  crv: Type.String(),
  x: Type.String(),
  y: Type.String(),
});
const Jwks = Type.Object({ keys: Type.Array(Jwk) });
const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.Optional(Type.String()),
  field: Type.Optional(Type.String()),
});

export function authRoutes(
  app: HttpApp,
  db: Database,
  tokens: TokenService,
  loginRateLimit: { max: number; timeWindow: number } | false,
  throttle: LoginThrottle | undefined,
) {
  app.post(
    '/auth/login',
    {
      config: loginRateLimit ? { rateLimit: loginRateLimit } : {},
      schema: {
        tags: ['auth'],
        summary: 'Sign in with username and password; answers a bearer token',
        body: LoginInput,
        response: { 200: LoginAnswer, 401: Problem, 429: Problem },
      },
    },
    async (req, reply) => {
      const { username, password } = req.body as Static<typeof LoginInput>;
      // guessing at one account is slowed whatever the address (login-throttle.ts); an unknown username
      // is throttled exactly like a known one, so a 429 tells nothing about who exists
      const source = loginSource(req.ip);
      const verdict = throttle ? await throttle.attempt(username, source) : ({ allowed: true } as const);
      if (!verdict.allowed) {
        const seconds = Math.ceil(verdict.retryAfterMs / 1000);
        reply.header('retry-after', String(seconds));
        throw new HttpProblem(429, 'Too many sign-in attempts', `too many failed sign-ins with this username; try again in ${seconds} s`);
      }
      const user = await findUser(db, username);
      // an unknown username costs the same scrypt as a wrong password: no user enumeration by timing
      const ok = await verifyPassword(password, user?.passwordHash ?? (await hashForUnknownUser()));
      if (!user || !ok) throw new HttpProblem(401, 'Invalid credentials', 'the username or the password is wrong');
      await throttle?.succeeded(username, source);
      const { token, expiresIn } = await tokens.issue(user);
      return {
        token,
        tokenType: 'Bearer' as const,
        expiresIn,
        user: { username: user.username, role: user.role, customerId: user.customerId },
      };
    },
  );

  app.get(
    '/auth/me',
    { schema: { tags: ['auth'], summary: 'The signed-in user, as the token says', response: { 200: UserView } } },
    async (req) => {
      const { username, role, customerId } = req.identity!;
      return { username, role, customerId };
    },
  );

  app.get(
    '/.well-known/jwks.json',
    { schema: { tags: ['auth'], summary: "The public key that verifies the gateway's tokens (JWKS)", response: { 200: Jwks } } },
    async (_req, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return tokens.jwks() as Static<typeof Jwks>;
    },
  );
}
