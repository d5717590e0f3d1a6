// The single public entry (port 8088): signs users in, decides who may do what (policy.ts), limits how
// often, and routes each resource to the service that owns it. Serves the OpenAPI document of the
// whole public API at /docs and the web UI at /. Each concern is a Fastify plugin of its own
// (plugins/: headers, authentication, rate limits, policy, the gateway's own endpoints, proxy, docs,
// web UI, ...), with the plugins it depends on declared; buildGateway only registers them.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino, { type Logger } from 'pino';
import { createPgliteDatabase, migrate, migrationsFrom, type Database } from '@airline/database';
import { createHttpApp, customerNamedIn, type HttpApp } from '@airline/http';
import { serviceLogger } from '@airline/telemetry';
import type { ApiDocuments } from './api-documents.js';
import { resolveSigningKey, type SigningKeySource } from './auth/signing-key.js';
import type { TokenService } from './auth/tokens.js';
import { createDemoUsersOnFirstStart, upsertUsers, type SeedUser } from './auth/users.js';
import type { ManagementOptions, ManagementServer } from './management.js';
import type { OpenApiDocument } from './openapi.js';
import type { RouteRow } from './routing.js';
import { resolveSettings, type GatewaySettings, type GatewaySettingsInput } from './settings.js';
import authentication from './plugins/authentication.js';
import docs, { routeSchemas } from './plugins/docs.js';
import endpoints from './plugins/endpoints.js';
import userDirectory from './plugins/user-directory.js';
import halRoot from './plugins/hal-root.js';
import headers from './plugins/headers.js';
import jsonBody from './plugins/json-body.js';
import management from './plugins/management.js';
import policy from './plugins/policy.js';
import proxy from './plugins/proxy.js';
import publicCache from './plugins/public-cache.js';
import rateLimit from './plugins/rate-limit.js';
import upstreams from './plugins/upstreams.js';
import webUi from './plugins/web-ui.js';

export { gatewaySettingsFromEnv, type GatewaySettings, type GatewaySettingsInput } from './settings.js';
export type { SeedUser, User, Role } from './auth/users.js';
export type { Identity, TokenService, OidcSettings } from './auth/tokens.js';
export { generateSigningKey, signingKeyFromPem, type SigningKey, type SigningKeySource } from './auth/signing-key.js';
export { policies, type Policy } from './policy.js';
export type { OpenApiDocument } from './openapi.js';

export interface GatewayConfig {
  /** Base URL of each upstream service, by service name. */
  upstreams: Record<string, string>;
  /** The gateway's own database (users); in memory when not given (nothing survives). */
  db?: Database;
  /**
   * The key that signs its tokens: given (a Secret), or kept in a file of its own (0600, made at first
   * start). Not given: a key of this process only (nothing it signed survives a restart).
   */
  signingKey?: SigningKeySource;
  /** Where the first start's demo passwords are written (0600); they are never logged. */
  demoUsersFile?: string;
  /** Where they are printed once; default: stdout when it is an interactive terminal. */
  terminal?: { write(text: string): unknown } | false;
  /** A management port for probes and Prometheus: /health/*, /metrics, no token (management.ts). */
  management?: ManagementOptions;
  log?: Logger;
  settings?: GatewaySettingsInput;
  /** Known users, created or replaced at start (tests, configured accounts); else demo users on first start. */
  users?: SeedUser[];
  /** The documents of the forwarded routes, by service (default: each service's checked-in openapi.json). */
  apiDocuments?: ApiDocuments;
}

export type Gateway = HttpApp & {
  tokens: TokenService;
  /** The management port, when configured. */
  management: ManagementServer | undefined;
  settings: GatewaySettings;
  /** The OpenAPI document served at /docs/json (after ready). */
  openapi(): OpenApiDocument;
};

/** Which service owns which path prefix (one row per public resource). */
export const routes: RouteRow[] = [
  { prefix: '/flights', service: 'flight' },
  { prefix: '/airports', service: 'flight' },
  { prefix: '/reservations', service: 'reservation' },
  { prefix: '/payments', service: 'payment' },
  { prefix: '/mileages', service: 'mileage' },
  { prefix: '/notifications', service: 'notification' },
  { prefix: '/customerInfos', service: 'dashboard' },
  { prefix: '/flightBoard', service: 'dashboard' },
  { prefix: '/reservationHistory', service: 'dashboard' },
];

/** Where the gateway keeps its files in a data directory (DATA_DIR, private to its owner). */
export const gatewayFilesIn = (dataDir: string) => ({
  signingKey: { file: join(dataDir, 'gateway-signing-key.pem') },
  demoUsersFile: join(dataDir, 'demo-users.txt'),
});

const migrations = migrationsFrom(fileURLToPath(new URL('../migrations', import.meta.url)));

/**
 * The composition root: the gateway's own database and signing key, then one plugin per concern, in
 * the order their hooks and routes must be declared (each plugin names what it depends on, and Fastify
 * refuses to start when one is missing or out of order).
 */
export async function buildGateway(config: GatewayConfig): Promise<Gateway> {
  const settings = resolveSettings(config.settings);
  const log = config.log ?? pino({ level: 'silent' });
  const ownLog = serviceLogger(log, 'gateway');
  const db = config.db ?? (await createPgliteDatabase());
  // before the migration that drops it: a key an older version kept in the database moves to its file
  const signingKey = await resolveSigningKey(config.signingKey, db, ownLog);
  await migrate(db, migrations);
  if (config.users) await upsertUsers(db, config.users);
  else {
    const terminal = config.terminal ?? (process.stdout.isTTY ? process.stdout : false);
    await createDemoUsersOnFirstStart(db, ownLog, { file: config.demoUsersFile, terminal: terminal || undefined });
  }

  const app = createHttpApp({
    service: 'gateway',
    log: ownLog,
    // the customer a request acts for is the token's (a staff member acting for one: the customer named)
    customerOf: (req) => (req.identity?.role === 'customer' ? (req.identity.customerId ?? undefined) : customerNamedIn(req)),
    bodyLimit: settings.bodyLimit,
    trustProxy: settings.trustProxy,
    // an over-long id must still take its route's row of the policy table (and reach the service that
    // answers it 414), not fall through to a prefix's catch-all, which is closed to customers
    maxParamLength: 2048,
    readiness: { database: () => db.query('SELECT 1') },
  }) as Gateway;
  app.decorate('settings', settings);

  await app.register(management, { options: config.management });
  await app.register(upstreams, {
    urls: config.upstreams,
    connectTimeoutMs: settings.upstreamConnectTimeoutMs,
    timeoutMs: settings.upstreamTimeoutMs,
    log: ownLog,
  });
  if (!config.db) app.addHook('onClose', () => db.close());
  await app.register(jsonBody, { maxJsonDepth: settings.maxJsonDepth });
  await app.register(headers, { corsOrigins: settings.corsOrigins });
  await app.register(routeSchemas);
  await app.register(authentication, { signingKey, settings: settings.tokens });
  await app.register(rateLimit, { rateLimit: settings.rateLimit });
  await app.register(policy);
  await app.register(endpoints, { db, rateLimit: settings.rateLimit, loginThrottle: settings.loginThrottle });
  await app.register(userDirectory, { db });
  await app.register(publicCache, { ttlMs: settings.publicCacheMs });
  await app.register(proxy, { routes });
  await app.register(docs, { apiDocuments: config.apiDocuments });
  await app.register(halRoot);
  await app.register(webUi);
  return app;
}
