// Transactions over a connection that takes several statements per round trip (the PGlite adapters):
// BEGIN, the enqueued writes and COMMIT travel together with the statements whose results are awaited,
// so a transaction costs one round trip per awaited query plus one for the commit.
import { oneAtATime } from './one-at-a-time.js';
import type { Database, QueryResult, Statement, Tx } from './port.js';

export interface PipelinedConnection {
  /** Runs statements in order in one round trip; rejects with the first error. */
  run(statements: Statement[]): Promise<QueryResult<Record<string, unknown>>[]>;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

export function pipelinedDatabase(conn: PipelinedConnection): Database {
  // One connection: a statement outside a transaction must not run inside someone else's, so every use
  // of the connection takes its turn.
  const exclusive = oneAtATime();

  async function query<R>(text: string, params?: unknown[]): Promise<QueryResult<R>> {
    const [result] = await conn.run([{ text, params }]);
    return result as QueryResult<R>;
  }

  async function inTransaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    let pending: Statement[] = [{ text: 'BEGIN' }];
    let begun = false; // BEGIN has reached the database
    const beforeCommit: Array<() => void | Promise<void>> = [];
    const flush = async (last?: Statement) => {
      const batch = last ? [...pending, last] : pending;
      pending = [];
      if (batch.length === 0) return undefined;
      if (batch[0]!.text === 'BEGIN') begun = true;
      const results = await conn.run(batch);
      return results[results.length - 1];
    };
    const tx: Tx = {
      async query<R>(text: string, params?: unknown[]) {
        return (await flush({ text, params })) as QueryResult<R>;
      },
      async exec(text) {
        await flush();
        await conn.exec(text);
      },
      enqueue(text, params) {
        pending.push({ text, params });
      },
      beforeCommit: (hook) => void beforeCommit.push(hook),
    };
    try {
      const result = await fn(tx);
      for (const hook of beforeCommit) await hook();
      if (begun || pending.length > 1) await flush({ text: 'COMMIT' });
      return result;
    } catch (err) {
      pending = [];
      if (begun) await conn.run([{ text: 'ROLLBACK' }]).catch(() => undefined); // the original error is what matters
      throw err;
    }
  }

  return {
    kind: 'pglite',
    query: (text, params) => exclusive(() => query(text, params)),
    exec: (text) => exclusive(() => conn.exec(text)),
    transaction: (fn) => exclusive(() => inTransaction(fn)),
    close: () => exclusive(() => conn.close()),
  };
}
