// The embedded runtime's databases, opened on their worker thread(s). Kept apart from system.ts, which
// imports every service: `npm start` begins opening the databases (PostgreSQL's start-up, on the
// database thread) first and loads the services' code meanwhile (on the main thread), so that the two
// halves of a start overlap on two cores instead of following each other.
import { join } from 'node:path';
import { makePrivateDirectory, startPgliteThread, type Database, type PgliteThread } from '@airline/database';

/** The databases of the embedded runtime, each its own directory under DATA_DIR. */
export const DATABASE_NAMES = ['event-log', 'reservation', 'flight', 'payment', 'dashboard', 'notification', 'mileage', 'gateway', 'payment-processor'] as const;
export type DatabaseName = (typeof DATABASE_NAMES)[number];

export interface EmbeddedDatabases {
  dbs: Record<DatabaseName, Database>;
  threads: PgliteThread[];
  /** Entries under DATA_DIR that other users could read or write, made private before anything opened. */
  loosened: string[];
}

export async function openEmbeddedDatabases(options: { dataDir?: string; dbThreads?: number }): Promise<EmbeddedDatabases> {
  // the databases and the gateway's signing key: its owner's alone (0700/0600), tightened at every start
  const loosened = options.dataDir ? makePrivateDirectory(options.dataDir) : [];
  // every database starts at once, dealt over the threads (in this order, busiest first, so that more
  // threads share the load about evenly)
  const threads = await Promise.all(Array.from({ length: Math.max(1, options.dbThreads ?? 1) }, () => startPgliteThread()));
  const opened = await Promise.all(DATABASE_NAMES.map((name, i) => threads[i % threads.length]!.open(options.dataDir ? join(options.dataDir, name) : undefined)));
  return { dbs: Object.fromEntries(DATABASE_NAMES.map((n, i) => [n, opened[i]!])) as Record<DatabaseName, Database>, threads, loosened };
}
