// The embedded runtime's databases, opened on their worker thread(s). Kept apart from system.ts, which
// imports every service: `npm start` begins opening the databases (PostgreSQL's start-up, on the
// database thread) first and loads the services' code meanwhile (on the main thread), so that the two
// halves of a start overlap on two cores instead of following each other.
//
// Three PGlite instances, each a directory under DATA_DIR (the `schemas` layout):
//   services/           the services' and the gateway's databases, a schema each (the dashboard's is
//                       `public`: its rebuild swaps public's read models, services/dashboard/src/rebuild.ts)
//   event-log/          the event log: an instance of its own, because an outbox relay appends to the log
//                       inside its service's transaction, and one instance is one connection (pglite-schemas.ts)
//   payment-processor/  the processor sandbox's vault and ledger: card numbers stay in its own files
// A DATA_DIR written by an older version (the `instances` layout: one instance and directory per
// database, nine in all) is opened as it is, in that layout; DB_LAYOUT=instances makes a new one so.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  createPgliteDatabase,
  createPgliteSchemas,
  makePrivateDirectory,
  startPgliteThread,
  type Database,
  type PgliteThread,
} from '@airline/database';

/** The databases of the embedded runtime. */
export const DATABASE_NAMES = [
  'event-log',
  'reservation',
  'flight',
  'payment',
  'dashboard',
  'notification',
  'mileage',
  'gateway',
  'payment-processor',
] as const;
export type DatabaseName = (typeof DATABASE_NAMES)[number];

/** The databases that are schemas of the `services` instance, and their schema. */
export const SERVICE_SCHEMAS = {
  reservation: 'reservation',
  flight: 'flight',
  payment: 'payment',
  dashboard: 'public',
  notification: 'notification',
  mileage: 'mileage',
  gateway: 'gateway',
} as const satisfies Partial<Record<DatabaseName, string>>;
type SchemaDatabaseName = keyof typeof SERVICE_SCHEMAS;
/** The directory of the instance that holds the services' schemas. */
export const SERVICES_DIRECTORY = 'services';

/** schemas: three instances (services' schemas, event log, processor); instances: one per database (older versions). */
export type DatabaseLayout = 'schemas' | 'instances';

/**
 * The layout of the databases under `dataDir`: the one found there (an existing DATA_DIR keeps its own),
 * else `wanted` (default `schemas`).
 */
export function databaseLayout(dataDir: string | undefined, wanted: DatabaseLayout = 'schemas'): DatabaseLayout {
  if (wanted !== 'schemas' && wanted !== 'instances') throw new Error(`DB_LAYOUT ${JSON.stringify(wanted)}: schemas or instances`);
  if (dataDir && existsSync(join(dataDir, 'reservation', 'PG_VERSION'))) return 'instances';
  if (dataDir && existsSync(join(dataDir, SERVICES_DIRECTORY, 'PG_VERSION'))) return 'schemas';
  return wanted;
}

/** The directories of DATA_DIR that hold databases, in a layout (each a PGlite cluster). */
export function databaseDirectories(layout: DatabaseLayout): string[] {
  return layout === 'schemas' ? [SERVICES_DIRECTORY, 'event-log', 'payment-processor'] : [...DATABASE_NAMES];
}

export interface EmbeddedDatabases {
  dbs: Record<DatabaseName, Database>;
  threads: PgliteThread[];
  layout: DatabaseLayout;
  /** Entries under DATA_DIR that other users could read or write, made private before anything opened. */
  loosened: string[];
}

export async function openEmbeddedDatabases(options: {
  dataDir?: string;
  dbThreads?: number;
  dbLayout?: DatabaseLayout;
}): Promise<EmbeddedDatabases> {
  const layout = databaseLayout(options.dataDir, options.dbLayout);
  // the databases and the gateway's signing key: its owner's alone (0700/0600), tightened at every start
  const loosened = options.dataDir ? makePrivateDirectory(options.dataDir) : [];
  // every instance starts at once, dealt over the threads (in this order, busiest first, so that more
  // threads share the load about evenly)
  const threads = await Promise.all(Array.from({ length: Math.max(1, options.dbThreads ?? 1) }, () => startPgliteThread()));
  const dir = (name: string) => (options.dataDir ? join(options.dataDir, name) : undefined);
  if (layout === 'instances') {
    const opened = await Promise.all(DATABASE_NAMES.map((name, i) => threads[i % threads.length]!.open(dir(name))));
    return {
      dbs: Object.fromEntries(DATABASE_NAMES.map((n, i) => [n, opened[i]!])) as Record<DatabaseName, Database>,
      threads,
      layout,
      loosened,
    };
  }
  const names = Object.keys(SERVICE_SCHEMAS) as SchemaDatabaseName[];
  const [services, eventLog, processor] = await Promise.all([
    threads[0]!.openSchemas(
      dir(SERVICES_DIRECTORY),
      names.map((n) => SERVICE_SCHEMAS[n]),
    ),
    threads[1 % threads.length]!.open(dir('event-log')),
    threads[2 % threads.length]!.open(dir('payment-processor')),
  ]);
  const schemaDbs = Object.fromEntries(names.map((n) => [n, services.schemas[SERVICE_SCHEMAS[n]]]));
  return {
    dbs: { ...schemaDbs, 'event-log': eventLog, 'payment-processor': processor } as Record<DatabaseName, Database>,
    threads,
    layout,
    loosened,
  };
}

/** DB_LAYOUT from the environment (undefined when unset). */
export function databaseLayoutFromEnv(env: Record<string, string | undefined>): DatabaseLayout | undefined {
  const v = env.DB_LAYOUT;
  if (v === undefined || v === '') return undefined;
  if (v !== 'schemas' && v !== 'instances') throw new Error(`DB_LAYOUT=${v}: schemas (default) or instances`);
  return v;
}

/**
 * One database of a stopped embedded system's DATA_DIR, in whatever layout it is, on the calling thread
 * (a database has one user at a time: never while the system runs): `npm run rebuild -- --offline`, specs.
 */
export async function openStoppedDatabase(dataDir: string, name: DatabaseName): Promise<Database> {
  if (databaseLayout(dataDir) === 'instances' || !(name in SERVICE_SCHEMAS)) return createPgliteDatabase(join(dataDir, name));
  const schema = SERVICE_SCHEMAS[name as SchemaDatabaseName];
  return (await createPgliteSchemas(join(dataDir, SERVICES_DIRECTORY), [schema])).schemas[schema];
}
