// The whole embedded system with known users, and clients for them through the gateway whose every
// response is checked against the gateway's OpenAPI document.
import type { SeedUser } from '@airline/gateway';
import { FREE_PORTS, startEmbeddedSystem, type EmbeddedOptions } from '../../../../runtime/system.js';
import { conformance } from './conformance.js';
import { gatewayClient } from './client.js';

export const USERS = {
  admin: { username: 'admin', password: 'admin-password-1', role: 'admin', customerId: null },
  alice: { username: 'alice', password: 'alice-password-1', role: 'customer', customerId: 1 },
  bob: { username: 'bob', password: 'bob-password-1', role: 'customer', customerId: 2 },
} satisfies Record<string, SeedUser>;

export async function systemWithUsers(options: EmbeddedOptions = {}) {
  const system = await startEmbeddedSystem({
    ports: FREE_PORTS,
    busPollMs: 50,
    auth: { users: Object.values(USERS) },
    gateway: { rateLimit: false },
    ...options,
  });
  const check = conformance(system.gateway.openapi());
  const anonymous = gatewayClient(system.urls.gateway, check);
  const [admin, alice, bob] = await Promise.all([USERS.admin, USERS.alice, USERS.bob].map((u) => anonymous.as(u.username, u.password)));
  return { system, check, anonymous, admin: admin!, alice: alice!, bob: bob! };
}
