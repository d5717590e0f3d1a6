// How the gateway is configured: defaults that are safe to expose, and the environment variables
// that change them (`npm start`, the cluster processes, Kubernetes ConfigMap/Secret).
import { defaultLoginThrottle, type LoginThrottleSettings } from './auth/login-throttle.js';
import type { OidcSettings, TokenSettings } from './auth/tokens.js';

export interface RateLimitSettings {
  /** Requests per window per caller: per token subject when signed in, per client IP otherwise. */
  max: number;
  windowMs: number;
  /** `POST /auth/login` attempts per window per client IP (password guessing). */
  loginMax: number;
}

export interface GatewaySettings {
  tokens: TokenSettings;
  /** false: no rate limiting (benchmarks). */
  rateLimit: RateLimitSettings | false;
  /**
   * Failed sign-ins per account, whatever the address, with backoff (auth/login-throttle.ts); on even
   * when rateLimit is off, since only failures count. false: off (tests of other things only).
   */
  loginThrottle: LoginThrottleSettings | false;
  /** Largest request body accepted, bytes. */
  bodyLimit: number;
  /** Deepest JSON nesting accepted in a request body. */
  maxJsonDepth: number;
  /** Origins allowed by CORS; empty: same origin only (the web UI is served by the gateway itself). */
  corsOrigins: string[];
  /** A service that does not accept the connection within this time is reported down (503). */
  upstreamConnectTimeoutMs: number;
  /** A service that does not answer within this time gives 504. */
  upstreamTimeoutMs: number;
  /**
   * Proxies in front (ingress, load balancer) trusted to say the client's address in X-Forwarded-For:
   * true, a number of hops, or addresses/CIDRs. Without it every client behind one ingress shares one limit.
   */
  trustProxy: boolean | number | string[];
  /**
   * How long an anonymous public read (flight searches) is answered from the gateway's micro-cache, ms
   * (public-cache.ts); 0: off. At most 500, so that with a replica's availability refresh (250) a search
   * never shows seats left older than 1 s.
   */
  publicCacheMs: number;
}

export const defaultGatewaySettings: GatewaySettings = {
  tokens: { issuer: 'airline-gateway', audience: 'airline-api', ttlSeconds: 3600 },
  rateLimit: { max: 1200, windowMs: 60_000, loginMax: 30 },
  loginThrottle: defaultLoginThrottle,
  bodyLimit: 16 * 1024,
  maxJsonDepth: 32,
  corsOrigins: [],
  upstreamConnectTimeoutMs: 1_000,
  upstreamTimeoutMs: 10_000,
  trustProxy: false,
  publicCacheMs: 200,
};

export type GatewaySettingsInput = Partial<Omit<GatewaySettings, 'tokens' | 'rateLimit' | 'loginThrottle'>> & {
  tokens?: Partial<TokenSettings>;
  rateLimit?: Partial<RateLimitSettings> | false;
  loginThrottle?: Partial<LoginThrottleSettings> | false;
};

export function resolveSettings(input: GatewaySettingsInput = {}): GatewaySettings {
  const d = defaultGatewaySettings;
  if (
    input.publicCacheMs !== undefined &&
    !(Number.isInteger(input.publicCacheMs) && input.publicCacheMs >= 0 && input.publicCacheMs <= 500)
  ) {
    throw new Error(`the public cache keeps answers 0–500 ms (PUBLIC_CACHE_MS), not ${input.publicCacheMs}`);
  }
  return {
    ...d,
    ...input,
    tokens: { ...d.tokens, ...input.tokens },
    rateLimit: input.rateLimit === false ? false : { ...(d.rateLimit as RateLimitSettings), ...input.rateLimit },
    loginThrottle: input.loginThrottle === false ? false : { ...(d.loginThrottle as LoginThrottleSettings), ...input.loginThrottle },
  };
}

const int = (env: NodeJS.ProcessEnv, name: string): number | undefined => {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, not ${JSON.stringify(raw)}`);
  return n;
};
const list = (raw: string | undefined) =>
  (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const trustProxyFrom = (raw: string | undefined): GatewaySettings['trustProxy'] | undefined => {
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return /^[0-9]+$/.test(raw) ? Number(raw) : list(raw);
};
const defined = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/**
 * GATEWAY_ISSUER, GATEWAY_AUDIENCE, TOKEN_TTL_SECONDS; OIDC_ISSUER + OIDC_JWKS_URL (+ OIDC_AUDIENCE,
 * OIDC_ROLE_CLAIM, OIDC_ADMIN_ROLES, OIDC_CUSTOMER_ID_CLAIM, OIDC_USERNAME_CLAIM); RATE_LIMIT=off or
 * RATE_LIMIT_MAX, RATE_LIMIT_WINDOW_MS, LOGIN_RATE_LIMIT_MAX; BODY_LIMIT_BYTES; CORS_ORIGINS (comma
 * list); UPSTREAM_CONNECT_TIMEOUT_MS, UPSTREAM_TIMEOUT_MS; TRUST_PROXY (true, a hop count, or a comma list of
 * addresses/CIDRs of the proxies in front); PUBLIC_CACHE_MS (0–500, 0 = off).
 */
export function gatewaySettingsFromEnv(env: NodeJS.ProcessEnv = process.env): GatewaySettingsInput {
  let oidc: OidcSettings | undefined;
  if (env.OIDC_ISSUER || env.OIDC_JWKS_URL) {
    if (!env.OIDC_ISSUER || !env.OIDC_JWKS_URL) throw new Error('OIDC_ISSUER and OIDC_JWKS_URL go together');
    oidc = {
      issuer: env.OIDC_ISSUER,
      jwksUrl: env.OIDC_JWKS_URL,
      audience: env.OIDC_AUDIENCE || undefined,
      roleClaim: env.OIDC_ROLE_CLAIM || 'role',
      adminRoles: env.OIDC_ADMIN_ROLES ? list(env.OIDC_ADMIN_ROLES) : ['admin'],
      customerIdClaim: env.OIDC_CUSTOMER_ID_CLAIM || 'customerId',
      usernameClaim: env.OIDC_USERNAME_CLAIM || 'preferred_username',
    };
  }
  const rateLimitOff = ['off', 'false', '0'].includes((env.RATE_LIMIT ?? '').toLowerCase());
  return defined({
    tokens: defined({
      issuer: env.GATEWAY_ISSUER || undefined,
      audience: env.GATEWAY_AUDIENCE || undefined,
      ttlSeconds: int(env, 'TOKEN_TTL_SECONDS'),
      oidc,
    }),
    rateLimit: rateLimitOff
      ? false
      : defined({
          max: int(env, 'RATE_LIMIT_MAX'),
          windowMs: int(env, 'RATE_LIMIT_WINDOW_MS'),
          loginMax: int(env, 'LOGIN_RATE_LIMIT_MAX'),
        }),
    bodyLimit: int(env, 'BODY_LIMIT_BYTES'),
    corsOrigins: env.CORS_ORIGINS === undefined ? undefined : list(env.CORS_ORIGINS),
    upstreamConnectTimeoutMs: int(env, 'UPSTREAM_CONNECT_TIMEOUT_MS'),
    upstreamTimeoutMs: int(env, 'UPSTREAM_TIMEOUT_MS'),
    trustProxy: trustProxyFrom(env.TRUST_PROXY),
    publicCacheMs: int(env, 'PUBLIC_CACHE_MS'),
  }) as GatewaySettingsInput;
}
