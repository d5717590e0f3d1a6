// The migrations Job of the distributed runtime (deploy/k8s/migrate-job.yaml), run before each rollout.
// As the PostgreSQL admin it gives every service its own role and database, then applies the service's
// migrations as that role, so the role owns its tables:
//   role     <prefix>_<service>: LOGIN, no SUPERUSER, no CREATEDB, no CREATEROLE, no other database
//   database <prefix>_<service>: owned by that role; CONNECT revoked from PUBLIC
// The services then start with MIGRATIONS=verify: they check the schema and change nothing, and no
// process that serves requests can create databases or roles. Running it again changes nothing but
// the passwords (rotated from the Secret) and the migrations added since.
//
// Environment:
//   PG_HOST, PG_PORT                       the server                                 postgres, 5432
//   PG_USER, PG_PASSWORD                   the admin (the role the server was initialised with)  required
//   PG_PASSWORD_<SERVICE>                  each service role's password (PG_PASSWORD_PAYMENT, …)  required
//   DB_PREFIX                              role and database names                     airline
import pg from 'pg';
import type { Migration } from '@airline/database';
import { createPgDatabase, migrate, migrationsFrom } from '@airline/database';
import { serviceMigrations } from '@airline/service';
import { flightService } from '@airline/flight';
import { reservationService } from '@airline/reservation';
import { paymentService } from '@airline/payment';
import { mileageService } from '@airline/mileage';
import { notificationService } from '@airline/notification';
import { dashboardService } from '@airline/dashboard';
import { processorMigrations } from '@airline/payment-processor';
import { databaseName } from './cluster.js';

type Env = Record<string, string | undefined>;

/** Every service with a database, and what it is migrated with. */
export const databaseServices: Array<{ name: string; migrations: () => Migration[] }> = [
  ...[flightService, reservationService, paymentService, mileageService, notificationService, dashboardService].map((def) => ({
    name: def.name,
    migrations: () => serviceMigrations(def),
  })),
  { name: 'gateway', migrations: () => migrationsFrom(new URL('../services/gateway/migrations', import.meta.url)) },
  // the card processor sandbox: its vault and its ledger (a real processor's would not be ours to migrate)
  { name: 'payment-processor', migrations: () => processorMigrations },
];

export const passwordVariable = (service: string) => `PG_PASSWORD_${service.toUpperCase().replace(/-/g, '_')}`;

const required = (env: Env, name: string) => {
  const v = env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};

export interface MigrateResult {
  service: string;
  role: string;
  database: string;
  applied: string[];
}

export async function migrateAll(env: Env = process.env, services = databaseServices): Promise<MigrateResult[]> {
  const host = env.PG_HOST ?? 'postgres';
  const port = env.PG_PORT ?? '5432';
  const prefix = env.DB_PREFIX ?? 'airline';
  const adminUser = required(env, 'PG_USER');
  const adminPassword = env.PG_PASSWORD ?? '';
  const url = (user: string, password: string, database: string) =>
    `postgres://${encodeURIComponent(user)}${password ? `:${encodeURIComponent(password)}` : ''}@${host}:${port}/${encodeURIComponent(database)}`;
  // every password first: a missing one stops the Job before anything changed
  const passwords = new Map(services.map((s) => [s.name, required(env, passwordVariable(s.name))]));

  const results: MigrateResult[] = [];
  const admin = new pg.Client({ connectionString: url(adminUser, adminPassword, 'postgres') });
  await admin.connect();
  try {
    for (const s of services) {
      const name = databaseName(prefix, s.name);
      const role = pg.escapeIdentifier(name);
      const password = pg.escapeLiteral(passwords.get(s.name)!);
      const exists = (await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).rowCount! > 0;
      await admin.query(
        `${exists ? 'ALTER' : 'CREATE'} ROLE ${role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${password}`,
      );
      if ((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 0) {
        await admin.query(`CREATE DATABASE ${role} OWNER ${role}`);
      } else {
        await admin.query(`ALTER DATABASE ${role} OWNER TO ${role}`);
      }
      await admin.query(`REVOKE ALL ON DATABASE ${role} FROM PUBLIC`);
      await admin.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${role} TO ${role}`);
      // applied as the service's role: it owns what the migrations create
      const db = await createPgDatabase(url(name, passwords.get(s.name)!, name), { max: 1, applicationName: `migrate-${s.name}` });
      try {
        results.push({ service: s.name, role: name, database: name, applied: await migrate(db, s.migrations()) });
      } finally {
        await db.close();
      }
    }
  } finally {
    await admin.end();
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  migrateAll()
    .then((results) => {
      for (const r of results) process.stdout.write(`${JSON.stringify({ msg: 'migrated', ...r })}\n`);
    })
    .catch((err: unknown) => {
      process.stderr.write(`${JSON.stringify({ msg: 'migrations failed', err: err instanceof Error ? err.message : String(err) })}\n`);
      process.exit(1);
    });
}
