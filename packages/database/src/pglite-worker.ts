// PGlite in a worker thread behind the Database port. PGlite runs PostgreSQL (WASM) on the thread that
// calls it; in the embedded runtime every service's database would otherwise share the one event loop
// with HTTP and the saga's handlers. Each database gets its own thread, so SQL runs beside the JS.
// A round trip to the thread carries a whole pipeline of statements (see pipelined.ts).
import { mkdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { pipelinedDatabase } from './pipelined.js';
import type { Database, QueryResult, Statement } from './port.js';

type ErrorFields = { message: string; code?: string; detail?: string; constraint?: string; statementIndex?: number };
type Reply = { id: number; results?: QueryResult<Record<string, unknown>>[]; error?: ErrorFields };

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

  const send = (op: 'run' | 'exec' | 'close', payload?: { statements?: Statement[]; sql?: string }) =>
    new Promise<Reply>((resolve, reject) => {
      if (failure) return reject(failure);
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, op, ...payload });
    });

  return pipelinedDatabase({
    run: async (statements) => (await send('run', { statements })).results!,
    exec: async (sql) => void (await send('exec', { sql })),
    async close() {
      await send('close');
      await worker.terminate();
    },
  });
}
