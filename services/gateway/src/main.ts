// The gateway as its own process. Each upstream comes from `<SERVICE>_URL` (FLIGHT_URL,
// RESERVATION_URL, PAYMENT_URL, …: one per service of the routes table; PAYMENT_PROCESSOR_URL for the
// sandbox's test cards); a service without one is not routed. Its own database (users):
// DATABASE_URL (PostgreSQL, shared by the replicas), else PGlite under DATA_DIR/gateway (one replica).
// The token signing key: GATEWAY_SIGNING_KEY or GATEWAY_SIGNING_KEY_FILE (a Secret; required with
// DATABASE_URL, so that every replica signs with the same key), else kept in DATA_DIR (0600).
// MANAGEMENT_PORT (default 9088): /health/live, /health/ready and /metrics for probes and Prometheus,
// without a token; on the public port (PORT, 8088) readiness and metrics are staff-only.
// Everything else from the environment: see settings.ts.
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgDatabase, createPgliteDatabase, type Database, makePrivateDirectory } from '@airline/database';
import { runHttpProcess } from '@airline/service';
import { signingKeyFromEnv } from './auth/signing-key.js';
import { buildGateway, gatewayFilesIn, gatewaySettingsFromEnv, routes } from './index.js';
import { managementPort } from './management.js';

const envName = (service: string) => `${service.toUpperCase().replace(/-/g, '_')}_URL`;
const upstreams: Record<string, string> = {};
for (const service of new Set(routes.map((r) => r.service))) {
  const url = process.env[envName(service)];
  if (url) upstreams[service] = url;
}
const processorUrl = process.env.PAYMENT_PROCESSOR_URL ?? process.env.PROCESSOR_URL;
if (processorUrl) upstreams.processor = processorUrl;

await runHttpProcess(
  'gateway',
  async ({ log }) => {
    const givenKey = await signingKeyFromEnv(process.env);
    let files: { signingKey?: { file: string }; demoUsersFile: string };
    let db: Database;
    if (process.env.DATABASE_URL) {
      if (!givenKey)
        throw new Error(
          'with DATABASE_URL the token signing key must be given: GATEWAY_SIGNING_KEY or GATEWAY_SIGNING_KEY_FILE (a P-256 key in PKCS#8 PEM: openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256)',
        );
      db = await createPgDatabase(process.env.DATABASE_URL, { max: 5, applicationName: `gateway-${process.pid}` });
      // a first start's demo passwords: a private file of this replica (its path is logged)
      files = { demoUsersFile: join(tmpdir(), `airline-demo-users-${randomUUID()}.txt`) };
    } else {
      const dataDir = process.env.DATA_DIR ?? './data';
      const loose = makePrivateDirectory(dataDir);
      if (loose.length > 0)
        log.warn(
          { dataDir, count: loose.length },
          'data files were readable or writable by other users: made private (0700 directories, 0600 files)',
        );
      db = await createPgliteDatabase(join(dataDir, 'gateway'));
      files = gatewayFilesIn(dataDir);
    }
    const gateway = await buildGateway({
      upstreams,
      db,
      log,
      settings: gatewaySettingsFromEnv(process.env),
      ...files,
      ...(givenKey ? { signingKey: givenKey } : {}),
      // probes and Prometheus: /health/*, /metrics without a token, on a port the Ingress does not publish
      management: { port: managementPort(process.env), host: process.env.HOST ?? '127.0.0.1' },
    });
    gateway.addHook('onClose', () => db.close());
    return gateway;
  },
  { port: 8088 },
);
