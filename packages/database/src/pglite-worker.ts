// PGlite in a worker thread behind the Database port. PGlite runs PostgreSQL (WASM) on the thread that
// calls it; in the embedded runtime every service's database would otherwise share the one event loop
// with HTTP and the saga's handlers. Each database gets its own thread, so SQL runs beside the JS.
import { mkdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Database, QueryResult, Sql } from './port.js';

type Reply = { id: number; rows?: unknown[]; rowCount?: number; error?: { message: string; code?: string; detail?: string; constraint?: string } };

export async function createPgliteWorkerDatabase(dir?: string): Promise<Database> {
  if (dir) mkdirSync(dir, { recursive: true });
  const worker = new Worker(new URL('./pglite-thread.mjs', import.meta.url), { workerData: { dir } });
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

  const send = (op: 'query' | 'exec' | 'close', sql?: string, params?: unknown[]) =>
    new Promise<Reply>((resolve, reject) => {
      if (failure) return reject(failure);
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, op, sql, params });
    });

  const direct: Sql = {
    async query<R>(text: string, params?: unknown[]): Promise<QueryResult<R>> {
      const r = await send('query', text, params);
      return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
    },
    async exec(text) {
      await send('exec', text);
    },
  };

  // One connection: a statement outside a transaction must not run inside someone else's, so every
  // use of the connection takes its turn.
  let tail: Promise<unknown> = Promise.resolve();
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  }

  return {
    kind: 'pglite',
    query: (text, params) => exclusive(() => direct.query(text, params)),
    exec: (text) => exclusive(() => direct.exec(text)),
    transaction: (fn) =>
      exclusive(async () => {
        await direct.exec('BEGIN');
        try {
          const result = await fn(direct);
          await direct.exec('COMMIT');
          return result;
        } catch (err) {
          await direct.exec('ROLLBACK').catch(() => undefined); // the original error is what matters
          throw err;
        }
      }),
    async close() {
      await exclusive(() => send('close'));
      await worker.terminate();
    },
  };
}
