// Staff see usernames, not customer ids (issue 14): the gateway, which owns the users, lists them for
// staff, through the whole gateway so that its row of the policy table is what decides who may.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGateway, type Gateway } from '@airline/gateway';
import { gatewayClient } from './support/client.js';
import { fakeUpstream } from './support/fake-upstream.js';

const USERS = [
  { username: 'minji', password: 'minji-password-1', role: 'customer' as const, customerId: 2 },
  { username: 'admin', password: 'admin-password-1', role: 'admin' as const, customerId: null },
  { username: 'alex', password: 'alex-password-1', role: 'customer' as const, customerId: 1 },
];

let app: Gateway;
let upstream: Awaited<ReturnType<typeof fakeUpstream>>;
let api: ReturnType<typeof gatewayClient>;
beforeAll(async () => {
  upstream = await fakeUpstream();
  app = await buildGateway({ users: USERS, upstreams: { flight: upstream.url }, settings: { rateLimit: false } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  api = gatewayClient(typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '');
});
afterAll(async () => {
  await app?.close();
  await upstream?.close();
});

describe('GET /users', () => {
  it('lists every user to staff by username with their role and customer, and never a password hash', async () => {
    const admin = await api.as('admin', 'admin-password-1');
    const r = await admin.get('/users');
    expect(r.status).toBe(200);
    expect(r.body).toEqual([
      { username: 'admin', role: 'admin', customerId: null },
      { username: 'alex', role: 'customer', customerId: 1 },
      { username: 'minji', role: 'customer', customerId: 2 },
    ]);
  });

  it('filters by the customer a user acts as, and refuses a customerId that is not one (400 naming it)', async () => {
    const admin = await api.as('admin', 'admin-password-1');
    expect((await admin.get('/users?customerId=2')).body).toEqual([{ username: 'minji', role: 'customer', customerId: 2 }]);
    const refused = await admin.get('/users?customerId=zero');
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('customerId');
  });

  it('is staff work: a customer is refused (403), and nobody without a token (401)', async () => {
    const minji = await api.as('minji', 'minji-password-1');
    expect((await minji.get('/users')).status).toBe(403);
    expect((await api.get('/users')).status).toBe(401);
  });
});
