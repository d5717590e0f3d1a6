// `npm start`: the whole system in one process. Configuration by environment:
//   DATA_DIR (default ./data; made private to its owner: 0700, files 0600; it holds the token signing key
//   and, after a first start, demo-users.txt with the demo users' passwords), HOST (default 127.0.0.1), HOLD_TTL_MS (default 15 min), LOG_LEVEL,
//   MILEAGE_RATE_PERCENT (default 10), NOTIFICATION_WEBHOOK_URL (optional), NOTIFICATION_WEBHOOK_MAX_ATTEMPTS (8);
//   DB_THREADS (worker threads the databases run on, default 1);
//   the gateway's: RATE_LIMIT=off, RATE_LIMIT_MAX, CORS_ORIGINS, OIDC_ISSUER + OIDC_JWKS_URL, ... (services/gateway/src/settings.ts).
import pino from 'pino';
import { gatewaySettingsFromEnv } from '@airline/gateway';
import { rateFromPercent } from '@airline/mileage';
import { notificationConfigFromEnv } from '@airline/notification';
import { startEmbeddedSystem } from './system.js';

// whatever this process creates is its owner's alone (DATA_DIR's modes are also set explicitly:
// runtime/system.ts, packages/database/src/pglite-permissions.ts)
process.umask(0o077);
const log = pino({ level: process.env.LOG_LEVEL ?? 'info' });
const dataDir = process.env.DATA_DIR ?? './data';
const system = await startEmbeddedSystem({
  dataDir,
  host: process.env.HOST ?? '127.0.0.1',
  log,
  reservation: process.env.HOLD_TTL_MS ? { holdTtlMs: Number(process.env.HOLD_TTL_MS) } : {},
  mileage: process.env.MILEAGE_RATE_PERCENT ? { rateBasisPoints: rateFromPercent(Number(process.env.MILEAGE_RATE_PERCENT)) } : {},
  notification: notificationConfigFromEnv(process.env),
  gateway: gatewaySettingsFromEnv(process.env),
  dbThreads: process.env.DB_THREADS ? Number(process.env.DB_THREADS) : undefined,
});
log.info({ urls: system.urls, dataDir }, `airline is up: open ${system.urls.gateway}`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: finishing in-flight work`);
    await system.stop();
    process.exit(0);
  });
}
