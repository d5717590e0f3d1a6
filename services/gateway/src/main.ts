// The gateway as its own process. Each upstream comes from `<SERVICE>_URL` (FLIGHT_URL,
// RESERVATION_URL, PAYMENT_URL, …: one per service of the routes table; PAYMENT_PROCESSOR_URL for the
// sandbox's test cards); a service without one is not routed. Its own database (users, signing key):
// DATABASE_URL (PostgreSQL, shared by the replicas), else PGlite under DATA_DIR/gateway (one replica).
// Everything else from the environment: see settings.ts.
import { join } from 'node:path';
import pino from 'pino';
import { createPgDatabase, createPgliteDatabase } from '@airline/database';
import { runHttpProcess } from '@airline/service';
import { buildGateway, gatewaySettingsFromEnv, routes } from './index.js';

const envName = (service: string) => `${service.toUpperCase().replace(/-/g, '_')}_URL`;
const upstreams: Record<string, string> = {};
for (const service of new Set(routes.map((r) => r.service))) {
  const url = process.env[envName(service)];
  if (url) upstreams[service] = url;
}
const processorUrl = process.env.PAYMENT_PROCESSOR_URL ?? process.env.PROCESSOR_URL;
if (processorUrl) upstreams.processor = processorUrl;

const log = pino({ level: process.env.LOG_LEVEL ?? 'info' }).child({ service: 'gateway' });

await runHttpProcess('gateway', async () => {
  const db = process.env.DATABASE_URL
    ? await createPgDatabase(process.env.DATABASE_URL, { max: 5, applicationName: `gateway-${process.pid}` })
    : await createPgliteDatabase(join(process.env.DATA_DIR ?? './data', 'gateway'));
  const gateway = await buildGateway({ upstreams, db, log, settings: gatewaySettingsFromEnv(process.env) });
  gateway.addHook('onClose', () => db.close());
  return gateway;
}, { port: 8088 });
