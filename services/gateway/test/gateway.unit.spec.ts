// The gateway's decisions that need no network: which service owns a path, how deep a body nests,
// what a failed upstream call becomes, configuration from the environment, and the policy table.
import { errors as undiciErrors } from 'undici';
import { describe, expect, it } from 'vitest';
import { jsonDepth } from '../src/json-depth.js';
import { policies, policyFor } from '../src/policy.js';
import { resolveRoute } from '../src/routing.js';
import { gatewaySettingsFromEnv, resolveSettings } from '../src/settings.js';
import { upstreamProblem } from '../src/upstream.js';

describe('routing: the longest matching prefix owns the path', () => {
  const rows = [
    { prefix: '/reservations', service: 'reservation' },
    { prefix: '/reservations/:id/timeline', service: 'dashboard' },
    { prefix: '/sandbox/test-cards', service: 'processor', rewritePrefix: '/v1/test-cards' },
  ];
  it.each([
    ['/reservations', { service: 'reservation', path: '/reservations' }],
    ['/reservations/7', { service: 'reservation', path: '/reservations/7' }],
    ['/reservations/7/timeline', { service: 'dashboard', path: '/reservations/7/timeline' }],
    ['/sandbox/test-cards', { service: 'processor', path: '/v1/test-cards' }],
    ['/sandbox/test-cards/4242', { service: 'processor', path: '/v1/test-cards/4242' }],
    ['/reservationsX', undefined],
    ['/flights', undefined],
  ])('%s', (path, expected) => {
    expect(resolveRoute(rows, path)).toEqual(expected);
  });
});

describe('JSON depth, counted without parsing', () => {
  it.each([
    ['{}', 1],
    ['{"a":[1,{"b":[]}]}', 4],
    ['"[[[[["', 0],
    ['{"a":"\\"[[[["}', 1],
    ['[[[[[[[[[[', 10],
  ])('%s → %i', (text, depth) => {
    expect(jsonDepth(text, 100)).toBe(depth);
  });
  it('stops counting past the limit', () => {
    expect(jsonDepth('['.repeat(1_000_000), 32)).toBe(33);
  });
});

describe('a failed call to a service', () => {
  it.each([
    ['refused', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 503],
    ['no connection in time', new undiciErrors.ConnectTimeoutError(), 503],
    ['connection dropped', new undiciErrors.SocketError('other side closed'), 503],
    ['no answer in time', new undiciErrors.HeadersTimeoutError(), 504],
    ['answer stalled', new undiciErrors.BodyTimeoutError(), 504],
    ['anything else', new Error('boom'), 502],
  ])('%s → %i problem naming the service', (_what, err, status) => {
    expect(upstreamProblem('flight', err)).toMatchObject({ status, extra: { service: 'flight' } });
  });
});

describe('configuration from the environment', () => {
  it('defaults are safe to expose: rate limited, 16 KiB bodies, same-origin only', () => {
    expect(resolveSettings(gatewaySettingsFromEnv({}))).toMatchObject({
      rateLimit: { max: 1200, windowMs: 60_000, loginMax: 30 },
      bodyLimit: 16_384,
      corsOrigins: [],
      tokens: { issuer: 'airline-gateway', audience: 'airline-api', ttlSeconds: 3600 },
    });
  });
  it('reads limits, CORS origins and an OIDC issuer', () => {
    const s = resolveSettings(
      gatewaySettingsFromEnv({
        RATE_LIMIT_MAX: '50',
        CORS_ORIGINS: 'https://a.example, https://b.example',
        OIDC_ISSUER: 'https://idp.example',
        OIDC_JWKS_URL: 'https://idp.example/jwks',
        OIDC_ROLE_CLAIM: 'realm_access.roles',
        OIDC_ADMIN_ROLES: 'staff,ops',
      }),
    );
    expect(s.rateLimit).toEqual({ max: 50, windowMs: 60_000, loginMax: 30 });
    expect(s.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(s.tokens.oidc).toEqual({
      issuer: 'https://idp.example',
      jwksUrl: 'https://idp.example/jwks',
      audience: undefined,
      roleClaim: 'realm_access.roles',
      adminRoles: ['staff', 'ops'],
      customerIdClaim: 'customerId',
      usernameClaim: 'preferred_username',
    });
  });
  it('TRUST_PROXY: true, a hop count, or the addresses of the proxies in front', () => {
    expect(resolveSettings(gatewaySettingsFromEnv({})).trustProxy).toBe(false);
    expect(gatewaySettingsFromEnv({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(gatewaySettingsFromEnv({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(gatewaySettingsFromEnv({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
  });
  it('RATE_LIMIT=off turns rate limiting off (benchmarks)', () => {
    expect(resolveSettings(gatewaySettingsFromEnv({ RATE_LIMIT: 'off' })).rateLimit).toBe(false);
  });
  it('refuses nonsense rather than guessing', () => {
    expect(() => gatewaySettingsFromEnv({ RATE_LIMIT_MAX: 'lots' })).toThrow(/RATE_LIMIT_MAX/);
    expect(() => gatewaySettingsFromEnv({ OIDC_ISSUER: 'https://idp.example' })).toThrow(/OIDC_JWKS_URL/);
  });
});

describe('the policy table', () => {
  it('has one row per endpoint', () => {
    const keys = policies.map((p) => `${p.method} ${p.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
  it('keeps customers to their own data wherever a customer reads or writes per-customer data', () => {
    for (const path of [
      '/reservations',
      '/reservations/:id',
      '/payments',
      '/payments/:id',
      '/mileages/:customerId',
      '/notifications',
      '/reservationHistory',
    ]) {
      expect(policyFor('GET', path)?.own, path).toBeDefined();
    }
    expect(policyFor('POST', '/reservations')?.own).toEqual({ kind: 'body' });
    expect(policyFor('POST', '/reservations/:id/cancel')?.own?.kind).toBe('lookup');
    expect(policyFor('DELETE', '/reservations/:id')?.own?.kind).toBe('lookup');
  });
  it('gives flight admin, dashboards and dead letters to staff only', () => {
    for (const [method, path] of [
      ['POST', '/flights'],
      ['POST', '/flights/:id/cancel'],
      ['GET', '/customerInfos'],
      ['GET', '/flightBoard'],
      ['GET', '/dead-letters'],
      ['POST', '/dead-letters/:service/redrive'],
    ] as const) {
      expect(policyFor(method, path)?.access, `${method} ${path}`).toBe('admin');
    }
  });
  it('has no row that lets a customer act without an ownership rule on a per-customer resource', () => {
    const perCustomer = policies.filter(
      (p) => p.access === 'user' && /reservations|payments|mileages|notifications|reservationHistory/.test(p.path),
    );
    expect(perCustomer.filter((p) => !p.own)).toEqual([]);
  });
});
