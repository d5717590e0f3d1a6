// `npm start`: the whole system in one process. Configuration by environment:
//   DATA_DIR (default ./data; made private to its owner: 0700, files 0600; it holds the token signing key
//   and, after a first start, demo-users.txt with the demo users' passwords), HOST (default 127.0.0.1), HOLD_TTL_MS (default 15 min), LOG_LEVEL,
//   DEFAULT_CURRENCY (ISO 4217 of fares registered without one, default KRW), BOOKING_CLOSES_MINUTES (before departure, default 60),
//   MILEAGE_RATE_PERCENT (default 10), NOTIFICATION_WEBHOOK_URL (optional), NOTIFICATION_WEBHOOK_MAX_ATTEMPTS (8);
//   LOG_FORMAT (json | pretty; default pretty on a terminal, JSON elsewhere), OTEL_EXPORTER_OTLP_ENDPOINT (traces over OTLP; unset: none),
//   MAX_SEATS_PER_BOOKING (9), MAX_SEATS_PER_CUSTOMER_ON_FLIGHT (18), DB_THREADS (worker threads the databases run on, default 1);
//   DB_LAYOUT (schemas: the services' databases as schemas of one PGlite instance, the default; instances: one
//   instance per database, as older versions wrote DATA_DIR, which still opens in its own layout: runtime/databases.ts);
//   the gateway's: RATE_LIMIT=off, RATE_LIMIT_MAX, CORS_ORIGINS, OIDC_ISSUER + OIDC_JWKS_URL, ... (services/gateway/src/settings.ts).
import { databaseLayoutFromEnv, openEmbeddedDatabases } from './databases.js';

// whatever this process creates is its owner's alone (DATA_DIR's modes are also set explicitly:
// runtime/databases.ts, packages/database/src/pglite-permissions.ts)
process.umask(0o077);
const dataDir = process.env.DATA_DIR ?? './data';
// PostgreSQL starts on the database thread while the services' code loads here (runtime/databases.ts)
const databases = openEmbeddedDatabases({
  dataDir,
  dbThreads: process.env.DB_THREADS ? Number(process.env.DB_THREADS) : undefined,
  dbLayout: databaseLayoutFromEnv(process.env),
});
databases.catch(() => undefined); // its failure is reported where it is awaited (startEmbeddedSystem)
const [
  { createLogger, logFormat, startTracing, stopTracing },
  { gatewaySettingsFromEnv },
  { rateFromPercent },
  { notificationConfigFromEnv },
  { bookingLimitsFromEnv },
  { startEmbeddedSystem },
] = await Promise.all([
  import('@airline/telemetry'),
  import('@airline/gateway'),
  import('@airline/mileage'),
  import('@airline/notification'),
  import('@airline/reservation'),
  import('./system.js'),
]);
const log = createLogger({ level: process.env.LOG_LEVEL ?? 'info', format: logFormat(process.env) });
// before the services are built: each looks once whether to trace
if (await startTracing())
  log.info(
    { endpoint: process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT },
    'tracing: spans exported over OTLP',
  );
const system = await startEmbeddedSystem({
  dataDir,
  host: process.env.HOST ?? '127.0.0.1',
  log,
  flight: {
    ...(process.env.DEFAULT_CURRENCY ? { defaultCurrency: process.env.DEFAULT_CURRENCY } : {}),
    ...(process.env.BOOKING_CLOSES_MINUTES ? { bookingClosesMinutes: Number(process.env.BOOKING_CLOSES_MINUTES) } : {}),
  },
  reservation: {
    ...(process.env.HOLD_TTL_MS ? { holdTtlMs: Number(process.env.HOLD_TTL_MS) } : {}),
    limits: bookingLimitsFromEnv(process.env),
  },
  mileage: process.env.MILEAGE_RATE_PERCENT ? { rateBasisPoints: rateFromPercent(Number(process.env.MILEAGE_RATE_PERCENT)) } : {},
  notification: notificationConfigFromEnv(process.env),
  gateway: gatewaySettingsFromEnv(process.env),
  databases,
});
log.info({ urls: system.urls, dataDir }, `airline is up: open ${system.urls.gateway}`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: finishing in-flight work`);
    await system.stop();
    await stopTracing();
    process.exit(0);
  });
}
