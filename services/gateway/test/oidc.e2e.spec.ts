// An external OpenID Connect issuer, trusted through its JWKS URL: a local JWKS server stands in for it.
// Its tokens are accepted beside the gateway's own, roles and customerId read from configured claims.
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGateway, type Gateway } from '@airline/gateway';
import { gatewayClient, type GatewayClient } from './support/client.js';
import { fakeUpstream } from './support/fake-upstream.js';

const ISSUER = 'https://idp.example/realms/airline';
let idpKey: CryptoKey;
let jwks: Server;
let upstream: Awaited<ReturnType<typeof fakeUpstream>>;
let gateway: Gateway;
let api: GatewayClient;

const token = (
  claims: JWTPayload,
  options: { key?: CryptoKey; issuer?: string; audience?: string; expires?: string; kid?: string; issuedAt?: number } = {},
) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'idp-key-1' })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? 'airline')
    .setIssuedAt(options.issuedAt)
    .setExpirationTime(options.expires ?? '5m')
    .sign(options.key ?? idpKey);

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  idpKey = pair.privateKey;
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'idp-key-1', alg: 'RS256', use: 'sig' };
  jwks = createServer((req, res) => {
    res.writeHead(req.url === '/protocol/openid-connect/certs' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
  const jwksUrl = `http://127.0.0.1:${(jwks.address() as { port: number }).port}/protocol/openid-connect/certs`;
  upstream = await fakeUpstream({ reservationOwner: 42 });
  gateway = await buildGateway({
    upstreams: { flight: upstream.url, reservation: upstream.url },
    users: [{ username: 'local-admin', password: 'local-password-1', role: 'admin', customerId: null }],
    settings: {
      rateLimit: false,
      tokens: {
        oidc: {
          issuer: ISSUER,
          jwksUrl,
          audience: 'airline',
          roleClaim: 'realm_access.roles',
          adminRoles: ['airline-staff'],
          customerIdClaim: 'customer_id',
          usernameClaim: 'preferred_username',
        },
      },
    },
  });
  await gateway.listen({ port: 0, host: '127.0.0.1' });
  api = gatewayClient(`http://127.0.0.1:${(gateway.server.address() as { port: number }).port}`);
});
afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
  await new Promise((r) => jwks?.close(r));
});

describe('tokens of the configured OIDC issuer', () => {
  it('a customer: role and customerId from the configured claims (a numeric string is fine)', async () => {
    const me = await api
      .withToken(await token({ sub: 'u-1', preferred_username: 'carol', customer_id: '42', realm_access: { roles: ['offline_access'] } }))
      .get('/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ username: 'carol', role: 'customer', customerId: 42 });
  });

  it('a customer books as the customerId of the token and reads only their own', async () => {
    const carol = api.withToken(await token({ sub: 'u-1', preferred_username: 'carol', customer_id: 42 }));
    const booked = await carol.post('/reservations', { customerId: 1, flightId: 3, seatQty: 1 });
    expect(booked.body.body).toEqual({ customerId: 42, flightId: 3, seatQty: 1 });
    const listed = await carol.get('/reservations?customerId=1');
    expect(listed.body.url).toBe('/reservations?customerId=42');
    expect((await carol.post('/reservations/9/cancel')).status).toBe(201); // reservation 9 is customer 42's
  });

  it('staff: an admin role value in the role claim; customers get 403 on staff endpoints', async () => {
    const staff = api.withToken(await token({ sub: 'u-2', preferred_username: 'sam', realm_access: { roles: ['airline-staff'] } }));
    expect((await staff.get('/auth/me')).body).toEqual({ username: 'sam', role: 'admin', customerId: null });
    expect((await staff.post('/flights', { flightCode: 'OIDC1' })).status).toBe(201);
    const customer = api.withToken(await token({ sub: 'u-1', customer_id: 42 }));
    expect((await customer.post('/flights', { flightCode: 'OIDC1' })).status).toBe(403);
  });

  it('a customer token without a customerId claim may not act as anyone (403)', async () => {
    const nobody = api.withToken(await token({ sub: 'u-3', preferred_username: 'dan' }));
    expect((await nobody.get('/auth/me')).body).toEqual({ username: 'dan', role: 'customer', customerId: null });
    expect((await nobody.get('/reservations')).status).toBe(403);
    expect((await nobody.post('/reservations', { flightId: 1, seatQty: 1 })).status).toBe(403);
  });

  it('the gateway still signs in its own users beside them', async () => {
    const local = await api.as('local-admin', 'local-password-1');
    expect((await local.get('/auth/me')).body).toMatchObject({ username: 'local-admin', role: 'admin' });
  });
});

describe("the issuer's tokens that are refused (401)", () => {
  it('a clock up to 60 s ahead is tolerated: a token issued 30 s in the future is accepted', async () => {
    const r = await api
      .withToken(await token({ sub: 'u-1', customer_id: 42 }, { issuedAt: Math.floor(Date.now() / 1000) + 30 }))
      .get('/auth/me');
    expect(r.status).toBe(200);
  });

  it.each([
    ['for another audience', () => token({ sub: 'u-1', customer_id: 42 }, { audience: 'someone-else' })],
    ['expired', () => token({ sub: 'u-1', customer_id: 42 }, { expires: '-1m' })],
    ['from another issuer', () => token({ sub: 'u-1', customer_id: 42 }, { issuer: 'https://idp.example/realms/other' })],
    [
      'signed by a key the JWKS does not hold',
      async () => token({ sub: 'u-1', customer_id: 42 }, { key: (await generateKeyPair('RS256')).privateKey }),
    ],
    [
      'signed by another key under the same kid',
      async () => token({ sub: 'u-1', customer_id: 42 }, { key: (await generateKeyPair('RS256')).privateKey, kid: 'idp-key-1' }),
    ],
    [
      'issued in the future (beyond the 60 s of clock skew allowed)',
      () => token({ sub: 'u-1', customer_id: 42 }, { issuedAt: Math.floor(Date.now() / 1000) + 120 }),
    ],
  ])('%s', async (_what, make) => {
    const r = await api.withToken(await make()).get('/auth/me');
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toContain('invalid_token');
  });
});
