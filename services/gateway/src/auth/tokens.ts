// Bearer tokens: the gateway signs its own (ES256, with the key of signing-key.ts) and, when
// configured, also trusts an external OpenID Connect issuer through its JWKS.
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';
import { SIGNING_ALG as ALG, type SigningKey } from './signing-key.js';
import type { Role, User } from './users.js';

/** How far in the future a token's `iat` may be (clocks of issuers drift): beyond it, the token is refused. */
export const CLOCK_SKEW_SECONDS = 60;

export interface OidcSettings {
  /** `iss` of the external issuer's tokens. */
  issuer: string;
  jwksUrl: string;
  /** Expected `aud`; unchecked when empty. */
  audience?: string;
  /** Claim holding the role (a string or an array of strings). */
  roleClaim: string;
  /** Values of the role claim that mean admin; anything else is a customer. */
  adminRoles: string[];
  /** Claim holding the integer customerId of a customer. */
  customerIdClaim: string;
  usernameClaim: string;
}

export interface TokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
  oidc?: OidcSettings;
}

/** Who sent a request, as its verified token says. */
export interface Identity extends User {
  /** Issuer and subject: the key of this caller (rate limits, idempotency scopes). */
  issuer: string;
  subject: string;
}

/** A token that is missing, malformed, forged, expired or from an issuer not trusted: 401. */
export class TokenRejected extends Error {
  override name = 'TokenRejected';
}

export interface TokenService {
  issue(user: User, ttlSeconds?: number): Promise<{ token: string; expiresIn: number }>;
  verify(token: string): Promise<Identity>;
  /** The public half of the signing key, for `/.well-known/jwks.json`. */
  jwks(): { keys: JWK[] };
}

const isRole = (v: unknown): v is Role => v === 'customer' || v === 'admin';

/** A customerId claim: a positive integer, or its decimal string (some issuers only do strings). */
function customerIdFrom(v: unknown): number | null {
  const n = typeof v === 'string' && /^[1-9][0-9]{0,9}$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= 2_147_483_647 ? n : null;
}

/** A token issued in the future (beyond the clock skew allowed) was not issued by a sane issuer: refused. */
function checkIssuedAt(payload: JWTPayload, nowSeconds: number) {
  if (payload.iat !== undefined && payload.iat > nowSeconds + CLOCK_SKEW_SECONDS) {
    throw new TokenRejected(
      `the token says it was issued in the future (iat ${payload.iat}, more than ${CLOCK_SKEW_SECONDS} s ahead of this server's clock)`,
    );
  }
}

export async function createTokenService(key: SigningKey, settings: TokenSettings): Promise<TokenService> {
  const privateKey = key.privateKey;
  const ownKeys = createLocalJWKSet({ keys: [key.publicJwk] });
  const oidc = settings.oidc;
  const remoteKeys = oidc ? createRemoteJWKSet(new URL(oidc.jwksUrl), { timeoutDuration: 3_000, cooldownDuration: 30_000 }) : undefined;

  async function verifyOwn(token: string): Promise<Identity> {
    const { payload } = await jwtVerify(token, ownKeys, {
      issuer: settings.issuer,
      audience: settings.audience,
      algorithms: [ALG],
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    checkIssuedAt(payload, Math.floor(Date.now() / 1000));
    const customerId = payload.customerId === null ? null : customerIdFrom(payload.customerId);
    if (!isRole(payload.role) || (payload.role === 'customer') !== (customerId !== null))
      throw new TokenRejected('the token does not say who its bearer is');
    return {
      issuer: settings.issuer,
      subject: payload.sub!,
      username: String(payload.username ?? payload.sub),
      role: payload.role,
      customerId,
    };
  }

  async function verifyExternal(token: string, o: OidcSettings): Promise<Identity> {
    const { payload } = await jwtVerify(token, remoteKeys!, {
      issuer: o.issuer,
      ...(o.audience ? { audience: o.audience } : {}),
      algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'],
      requiredClaims: ['sub', 'exp'],
    });
    checkIssuedAt(payload, Math.floor(Date.now() / 1000));
    const roles = ([] as unknown[]).concat(claim(payload, o.roleClaim) ?? []);
    const role: Role = roles.some((r) => typeof r === 'string' && o.adminRoles.includes(r)) ? 'admin' : 'customer';
    return {
      issuer: o.issuer,
      subject: payload.sub!,
      username: String(claim(payload, o.usernameClaim) ?? payload.sub),
      role,
      // a customer without a usable customerId claim is authenticated but may act as nobody (403)
      customerId: role === 'customer' ? customerIdFrom(claim(payload, o.customerIdClaim)) : null,
    };
  }

  return {
    async issue(user, ttlSeconds = settings.ttlSeconds) {
      const token = await new SignJWT({ role: user.role, customerId: user.customerId, username: user.username })
        .setProtectedHeader({ alg: ALG, kid: key.kid, typ: 'JWT' })
        .setIssuer(settings.issuer)
        .setAudience(settings.audience)
        .setSubject(user.username)
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
        .sign(privateKey);
      return { token, expiresIn: ttlSeconds };
    },
    async verify(token) {
      let issuer: unknown;
      try {
        issuer = decodeJwt(token).iss;
      } catch {
        throw new TokenRejected('the bearer token is not a JWT');
      }
      try {
        if (issuer === settings.issuer) return await verifyOwn(token);
        if (oidc && issuer === oidc.issuer) return await verifyExternal(token, oidc);
      } catch (err) {
        if (err instanceof TokenRejected) throw err;
        throw new TokenRejected(reason(err));
      }
      throw new TokenRejected('the token comes from an issuer this gateway does not trust');
    },
    jwks: () => ({ keys: [key.publicJwk] }),
  };
}

/** A claim by name; a dotted name reads nested claims (`realm_access.roles`). */
function claim(payload: JWTPayload, name: string): unknown {
  return name
    .split('.')
    .reduce<unknown>((v, part) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined), payload);
}

function reason(err: unknown): string {
  const code = (err as { code?: string }).code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'the token has expired';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'the token signature is not valid';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return `the token is not valid here: ${(err as Error).message}`;
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'the token was signed by a key this gateway does not know';
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JOSE_GENERIC':
      return 'the token issuer cannot be reached to check the token';
    default:
      return 'the bearer token is not valid';
  }
}
