// The single public entry (port 8088): signs users in, decides who may do what (policy.ts), limits how
// often, and routes each resource to the service that owns it. Serves the OpenAPI document of the
// whole public API at /docs and the web UI at /.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import pino, { type Logger } from 'pino';
import { Counter } from 'prom-client';
import { buildAsyncApiDocument } from '@airline/contracts';
import { createPgliteDatabase, migrate, migrationsFrom, type Database } from '@airline/database';
import { createHttpApp, customerNamedIn, HttpProblem, methodsOf, type HttpApp } from '@airline/http';
import { serviceLogger } from '@airline/telemetry';
import { checkedInDocuments, type ApiDocuments } from './api-documents.js';
import { authRoutes } from './auth/routes.js';
import { loginThrottle } from './auth/login-throttle.js';
import { resolveSigningKey, type SigningKeySource } from './auth/signing-key.js';
import { createTokenService, TokenRejected, type Identity, type TokenService } from './auth/tokens.js';
import { createDemoUsersOnFirstStart, upsertUsers, type SeedUser } from './auth/users.js';
import { operationIn, publicDocument, type DocumentedOperation, type OpenApiDocument } from './openapi.js';
import { managementServer, type ManagementOptions, type ManagementServer } from './management.js';
import { operationsRoutes } from './operations.js';
import { defaultPolicy, policies, policyFor, type Method, type Policy } from './policy.js';
import { PublicCache } from './public-cache.js';
import { proxyHandler } from './proxy.js';
import { resolveRoute, type RouteRow } from './routing.js';
import { resolveSettings, type GatewaySettings, type GatewaySettingsInput } from './settings.js';
import { halEntryPoint } from './hal-root.js';
import { webUi } from './ui.js';
import { createUpstreams } from './upstream.js';
import { jsonDepth } from './json-depth.js';

export { gatewaySettingsFromEnv, type GatewaySettings, type GatewaySettingsInput } from './settings.js';
export type { SeedUser, User, Role } from './auth/users.js';
export type { Identity, TokenService, OidcSettings } from './auth/tokens.js';
export { generateSigningKey, signingKeyFromPem, type SigningKey, type SigningKeySource } from './auth/signing-key.js';
export { policies, type Policy } from './policy.js';
export type { OpenApiDocument } from './openapi.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request, from a verified bearer token; null when anonymous. */
    identity: Identity | null;
    /** Why the bearer token sent was refused (401 on protected endpoints). */
    authError: string | null;
    /** The JSON body as received, forwarded unchanged when the policy does not rewrite it. */
    rawBody: string | undefined;
  }
  interface FastifyContextConfig {
    policy?: Policy;
  }
}

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

const METHODS: Method[] = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];
const migrations = migrationsFrom(fileURLToPath(new URL('../migrations', import.meta.url)));

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
  const tokens = await createTokenService(signingKey, settings.tokens);
  const upstreams = createUpstreams(config.upstreams, {
    connectTimeoutMs: settings.upstreamConnectTimeoutMs,
    timeoutMs: settings.upstreamTimeoutMs,
    // a replica stopping (rolling restart) or gone: the request went again on a new connection
    onRetry: (service, req, why) => {
      retries.inc({ upstream: service, reason: why });
      ownLog.info({ upstream: service, method: req.method, path: req.path.split('?')[0], requestId: req.headers?.['x-request-id'], why }, 'upstream request sent again on a new connection');
    },
  });

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
  const retries = new Counter({
    name: 'airline_gateway_upstream_retries_total',
    help: 'Requests the gateway sent a second time on a new connection (refused, reset, or a draining replica), by upstream and reason',
    labelNames: ['upstream', 'reason'],
    registers: [app.metrics],
  });
  app.decorate('tokens', tokens);
  app.decorate('management', config.management ? managementServer(app, config.management) : undefined);
  app.decorate('settings', settings);
  app.decorateRequest('identity', null);
  app.decorateRequest('authError', null);
  app.decorateRequest('rawBody', undefined);
  app.addHook('onClose', async () => {
    await upstreams.close();
    if (!config.db) await db.close();
  });

  // JSON bodies: nesting is bounded before parsing (deep JSON is refused, not recursed into), and the
  // text is kept to be forwarded as received
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    if (jsonDepth(text, settings.maxJsonDepth) > settings.maxJsonDepth) {
      return done(new HttpProblem(400, 'Invalid request', `the JSON body nests deeper than ${settings.maxJsonDepth} levels`, 'body'), undefined);
    }
    req.rawBody = text;
    parseJson(req, text, done);
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        // served over plain http on a laptop: upgrading would break every asset
        upgradeInsecureRequests: null,
      },
    },
  });
  await app.register(cors, {
    origin: settings.corsOrigins.length > 0 ? settings.corsOrigins : false,
    methods: METHODS,
    allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'last-event-id', 'accept'],
    exposedHeaders: ['location', 'retry-after', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'],
    maxAge: 600,
  });
  // collects the schemas of the gateway's own routes; forwarded ones are documented from the services
  await app.register(swagger, { openapi: { openapi: '3.1.0' } });

  // who is calling: verified before the rate limit counts the request, so a token is limited as itself
  app.addHook('onRequest', async (req) => {
    const policy = policyOf(req);
    const header = req.headers.authorization;
    if (!policy || policy.access === 'public' || header === undefined) return;
    const bearer = /^Bearer +([A-Za-z0-9\-_.~+/]+=*)$/i.exec(header);
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
  if (settings.rateLimit) {
    const { max, windowMs } = settings.rateLimit;
    await app.register(rateLimit, {
      max,
      timeWindow: windowMs,
      keyGenerator: (req) => (req.identity ? `token:${req.identity.issuer}|${req.identity.subject}` : `ip:${req.ip}`),
      errorResponseBuilder: (_req, ctx) => new HttpProblem(429, 'Too many requests', `at most ${ctx.max} requests in ${ctx.after}; try again in ${Math.ceil(ctx.ttl / 1000)} s`),
    });
  }
  // may they: before the body is even read
  app.addHook('preParsing', async (req, reply, payload) => {
    authorize(req, reply);
    return payload;
  });

  // the gateway's own endpoints take their row of the policy table; one without a row is a mistake
  let declaringNative = true;
  app.addHook('onRoute', (route) => {
    if (!declaringNative || route.config?.policy) return;
    const method = String(route.method);
    const policy = policyFor(method === 'HEAD' ? 'GET' : method, route.url);
    if (!policy) throw new Error(`gateway route ${method} ${route.url} has no row in the policy table`);
    route.config = { ...route.config, policy };
  });
  // the methods each path of the public API takes (the policy table), for the 405s of the catch-alls
  const tableMethods = methodsOf({ maxParamLength: 2048 });
  for (const p of policies) tableMethods.add(p.method === 'GET' ? ['GET', 'HEAD'] : p.method, p.path);
  const throttle = settings.loginThrottle ? loginThrottle(db, settings.loginThrottle) : undefined;
  authRoutes(app, db, tokens, settings.rateLimit ? { max: settings.rateLimit.loginMax, timeWindow: settings.rateLimit.windowMs } : false, throttle);
  operationsRoutes(app, upstreams);
  declaringNative = false;
  const documented = policies.filter((policy) => app.hasRoute({ method: policy.method, url: policy.path })).map((policy) => ({ policy, forwarded: false }));
  const native = new Set(documented.map(({ policy }) => `${policy.method} ${policy.path}`));

  // every row of the policy table whose service runs here is forwarded
  const proxy = proxyHandler({ routes, upstreams, publicCache: settings.publicCacheMs > 0 ? new PublicCache(settings.publicCacheMs) : undefined });
  for (const policy of policies) {
    if (native.has(`${policy.method} ${policy.path}`)) continue;
    const target = resolveRoute(routes, policy.path);
    if (!target || !upstreams.has(target.service)) continue;
    app.route({ method: policy.method, url: policy.path, config: { policy }, schema: { hide: true }, handler: proxy });
    documented.push({ policy, forwarded: true });
  }
  // what else a routed prefix holds is forwarded for admins only, until the table says otherwise
  for (const row of routes) {
    if (!upstreams.has(row.service)) continue;
    for (const url of [row.prefix, `${row.prefix}/*`]) {
      for (const method of METHODS) {
        if (app.hasRoute({ method, url })) continue;
        app.route({ method, url, config: { policy: defaultPolicy(method, url) }, schema: { hide: true }, handler: proxy });
      }
    }
  }

  let document: OpenApiDocument | undefined;
  app.addHook('onReady', async () => {
    const own = app.swagger() as unknown as OpenApiDocument;
    const targets = new Map(documented.filter(({ forwarded }) => forwarded).map(({ policy }) => [policy, resolveRoute(routes, policy.path)!]));
    const forwardedFrom = config.apiDocuments ?? checkedInDocuments([...targets.values()].map((target) => target.service));
    const operations: DocumentedOperation[] = documented.map(({ policy, forwarded }) => ({
      policy,
      forwarded,
      source: forwarded ? operationIn(forwardedFrom[targets.get(policy)!.service], policy.method, targets.get(policy)!.path) : operationIn(own, policy.method, policy.path),
      hasBody: policy.method === 'POST' || policy.method === 'PUT' || policy.method === 'PATCH',
    }));
    document = publicDocument(operations);
  });
  app.decorate('openapi', () => {
    if (!document) throw new Error('the OpenAPI document is made when the gateway is ready');
    return document;
  });
  const asyncapi = buildAsyncApiDocument();
  await app.register(swaggerUi, { routePrefix: '/docs', transformSpecification: () => app.openapi(), transformSpecificationClone: false });
  app.get('/docs/asyncapi.json', { schema: { hide: true } }, async () => asyncapi);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.openapi());

  halEntryPoint(app); // GET / and /profile for HAL clients (hal-root.ts); browsers get the web UI
  await app.register(webUi); // the web UI at /, after the API routes (ui.ts)
  return app;

  /**
   * The route's row of the policy table. Routes the app had before the gateway's own (health and
   * metrics, from createHttpApp) are looked up by path; the docs and the web UI have no row: public.
   */
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

  function policyOf(req: FastifyRequest): Policy | undefined {
    const config = req.routeOptions.config.policy;
    if (config) return config;
    const url = req.routeOptions.url;
    return url ? policyFor(req.method === 'HEAD' ? 'GET' : req.method, url) : undefined;
  }

  function authorize(req: FastifyRequest, reply: FastifyReply) {
    const policy = policyOf(req);
    if (policy && !policies.includes(policy)) refuseMethodsTheTableLacks(req, reply);
    if (!policy || policy.access === 'public') return;
    if (!req.identity) {
      reply.header('www-authenticate', req.authError ? 'Bearer realm="airline", error="invalid_token"' : 'Bearer realm="airline"');
      throw new HttpProblem(401, 'Unauthorized', req.authError ?? 'this endpoint needs a bearer token: sign in with POST /auth/login');
    }
    if (policy.access === 'admin' && req.identity.role !== 'admin') throw new HttpProblem(403, 'Forbidden', 'this endpoint is for airline staff (role admin)');
  }
}
