// PGlite in worker threads behind the Database port. PGlite runs PostgreSQL (WASM) on the thread that
// calls it; in the embedded runtime the services' databases would otherwise share the one event loop
// with HTTP and the saga's handlers. A PgliteThread holds one or more databases (each its own PGlite,
// its own directory), so SQL runs beside the JS. The embedded runtime puts all its databases on one
// thread by default: a thread costs about 30 MB, and on two cores more of them measured no faster
// (docs/benchmarks.md). A round trip to the thread carries a whole pipeline of statements (see
// pipelined.ts).
import { basename } from 'node:path';
import { Worker } from 'node:worker_threads';
import { pgliteArtifacts, pgliteDataOptions } from './pglite-artifacts.js';
import { makeTreePrivate } from './pglite-permissions.js';
import { checkSchemaNames, schemaDatabases, type SchemaConnection, type SchemaDatabases } from './pglite-schemas.js';
import { pipelinedDatabase } from './pipelined.js';
import type { Database, QueryResult, Statement } from './port.js';

type ErrorFields = { message: string; code?: string; detail?: string; constraint?: string; statementIndex?: number };
type Reply = { id: number; db?: number; results?: QueryResult<Record<string, unknown>>[]; error?: ErrorFields };
type Request =
  | { op: 'open'; name?: string; data: { dataDir: string } | { loadDataDir: Blob } }
  | { op: 'run'; db: number; statements: Statement[]; schema?: string }
  | { op: 'exec'; db: number; sql: string; schema?: string }
  | { op: 'close'; db: number };

export interface PgliteThread {
  /** Opens (creating when new) the database in `dir` on this thread; undefined = in memory. */
  open(dir?: string): Promise<Database>;
  /** Opens the database in `dir` (undefined = in memory) as one Database per schema (pglite-schemas.ts). */
  openSchemas<S extends string>(dir: string | undefined, schemas: readonly S[]): Promise<SchemaDatabases<S>>;
  /** Ends the thread (after its databases are closed). */
  close(): Promise<void>;
}

export async function startPgliteThread(): Promise<PgliteThread> {
  const worker = new Worker(new URL('./pglite-thread.mjs', import.meta.url), { workerData: { artifacts: await pgliteArtifacts() } });
  const waiting = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let failure: Error | undefined;
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  worker.on('message', (reply: Reply) => {
    const w = waiting.get(reply.id);
    if (!w) return;
    waiting.delete(reply.id);
    if (reply.error) w.reject(Object.assign(new Error(reply.error.message), reply.error));
    else w.resolve(reply);
  });
  worker.on('error', (err) => {
    failure = err;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  });

  const send = (request: Request) =>
    new Promise<Reply>((resolve, reject) => {
      if (failure) return reject(failure);
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, ...request });
    });

  async function connect(dir: string | undefined): Promise<SchemaConnection> {
    const { db } = await send({ op: 'open', name: dir && basename(dir), data: await pgliteDataOptions(dir) });
    if (dir) makeTreePrivate(dir); // what PostgreSQL wrote as it started (pglite-permissions.ts)
    return {
      run: async (statements, schema) => (await send({ op: 'run', db: db!, statements, schema })).results!,
      exec: async (sql, schema) => void (await send({ op: 'exec', db: db!, sql, schema })),
      close: async () => {
        await send({ op: 'close', db: db! });
        if (dir) makeTreePrivate(dir); // and as it shut down
      },
    };
  }

  return {
    async open(dir) {
      return pipelinedDatabase(await connect(dir));
    },
    async openSchemas(dir, schemas) {
      checkSchemaNames(schemas); // before anything is opened
      return schemaDatabases(await connect(dir), schemas);
    },
    async close() {
      await worker.terminate();
    },
  };
}

/** One database on a thread of its own; closing it ends the thread. */
export async function createPgliteWorkerDatabase(dir?: string): Promise<Database> {
  const thread = await startPgliteThread();
  const db = await thread.open(dir);
  return {
    ...db,
    async close() {
      await db.close();
      await thread.close();
    },
  };
}
