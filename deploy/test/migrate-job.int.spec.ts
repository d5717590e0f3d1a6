// The migrations Job (runtime/migrate.ts, deploy/k8s/migrate-job.yaml) against the machine's PostgreSQL:
// one role per service that owns its database and tables and can do nothing else (no CREATEDB, no
// CREATEROLE, no other service's database), and services that start with MIGRATIONS=verify on what the
// Job made, or refuse to start on a database it has not migrated.
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import pino from 'pino';
import { createPgDatabase } from '@airline/database';
import { createEmbeddedEventBus } from '@airline/messaging';
import { createPgliteDatabase } from '@airline/database';
import { startService } from '@airline/service';
import { flightService } from '@airline/flight';
import { dropDatabases, PG_URL, uniqueName } from '@airline/testing';
import { databaseServices, migrateAll, passwordVariable } from '../../runtime/migrate.js';

const server = new URL(PG_URL);
const prefixes: string[] = [];
afterAll(async () => {
  for (const p of prefixes) {
    await dropDatabases(p);
    const admin = new pg.Client({ connectionString: `${PG_URL}/postgres` });
    await admin.connect();
    const roles = await admin.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE starts_with(rolname, $1)', [p]);
    for (const { rolname } of roles.rows) await admin.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(rolname)}`);
    await admin.end();
  }
});

const two = databaseServices.filter((s) => s.name === 'flight' || s.name === 'reservation');

function jobEnv(prefix: string, services = two): Record<string, string> {
  return {
    PG_HOST: server.hostname,
    PG_PORT: server.port || '5432',
    PG_USER: decodeURIComponent(server.username) || 'postgres',
    DB_PREFIX: prefix,
    ...Object.fromEntries(services.map((s) => [passwordVariable(s.name), `pw-${s.name}`])),
  };
}

const asRole = (role: string, database: string) => `postgres://${role}:pw@${server.host}/${database}`;

async function queryAs(role: string, database: string, text: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: asRole(role, database) });
  await client.connect();
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end();
  }
}

describe('the migrations Job', () => {
  it('gives every service a role that owns its database and tables, and nothing more', async () => {
    const prefix = uniqueName('mig');
    prefixes.push(prefix);
    const results = await migrateAll(jobEnv(prefix), two);
    expect(results.map((r) => [r.service, r.role])).toEqual([
      ['flight', `${prefix}_flight`],
      ['reservation', `${prefix}_reservation`],
    ]);
    expect(results[0]!.applied).toContain('000_messaging.sql');

    const roles = await queryAs(`${prefix}_flight`, `${prefix}_flight`, 'SELECT rolname, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE starts_with(rolname, $1) ORDER BY rolname', [prefix]);
    expect(roles).toEqual([
      { rolname: `${prefix}_flight`, rolsuper: false, rolcreatedb: false, rolcreaterole: false },
      { rolname: `${prefix}_reservation`, rolsuper: false, rolcreatedb: false, rolcreaterole: false },
    ]);
    const owners = await queryAs(`${prefix}_flight`, `${prefix}_flight`, `SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'`);
    expect(owners).toEqual([{ tableowner: `${prefix}_flight` }]);

    // flight's role cannot reach reservation's database, nor create one
    await expect(queryAs(`${prefix}_flight`, `${prefix}_reservation`, 'SELECT 1')).rejects.toMatchObject({ code: '42501' });
    await expect(queryAs(`${prefix}_flight`, `${prefix}_flight`, `CREATE DATABASE ${prefix}_extra`)).rejects.toMatchObject({ code: '42501' });

    // a second run applies nothing new
    expect((await migrateAll(jobEnv(prefix), two)).map((r) => r.applied)).toEqual([[], []]);
  });

  it('lets a service start with MIGRATIONS=verify on what it made, and stops one whose database it has not migrated', async () => {
    const prefix = uniqueName('mig');
    prefixes.push(prefix);
    const flightOnly = databaseServices.filter((s) => s.name === 'flight');
    await migrateAll(jobEnv(prefix, flightOnly), flightOnly);
    const logDb = await createPgliteDatabase();
    const bus = await createEmbeddedEventBus(logDb);
    const db = await createPgDatabase(asRole(`${prefix}_flight`, `${prefix}_flight`), { max: 2 });
    const service = await startService(flightService, {}, { db, bus, log: pino({ level: 'silent' }), port: 0, pipeline: false, migrations: 'verify' });
    expect((await fetch(`${service.url}/health/ready`)).status).toBe(200);
    await service.stop();
    await db.close();

    const empty = await createPgDatabase(`${PG_URL}/${prefix}_unmigrated`, { max: 1 });
    await expect(startService(flightService, {}, { db: empty, bus, log: pino({ level: 'silent' }), port: 0, pipeline: false, migrations: 'verify' })).rejects.toThrow(
      /flight: migrations not applied: 000_messaging\.sql, .*Run the migrations Job/,
    );
    expect(await empty.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`).then((r) => r.rows[0])).toEqual({ n: 0 });
    await empty.close();
    await bus.close();
    await logDb.close();
  });

  it('changes nothing when a service password is missing', async () => {
    const prefix = uniqueName('mig');
    prefixes.push(prefix);
    const env = jobEnv(prefix);
    delete env.PG_PASSWORD_RESERVATION;
    await expect(migrateAll(env, two)).rejects.toThrow('PG_PASSWORD_RESERVATION is not set');
    const admin = new pg.Client({ connectionString: `${PG_URL}/postgres` });
    await admin.connect();
    const made = await admin.query('SELECT rolname FROM pg_roles WHERE starts_with(rolname, $1)', [prefix]);
    await admin.end();
    expect(made.rows).toEqual([]);
  });
});
