// Several services in one PGlite database, each in a schema of its own. PGlite is one PostgreSQL
// backend (one connection), and each instance costs ~31 MB resident and ~0.25 s to start
// (docs/benchmarks.md): the embedded runtime keeps its services' databases as schemas of one instance.
// Each service gets a Database of its own whose statements run with search_path at its schema (set by
// the session when another schema spoke last, with prepared statements kept per schema, see
// pglite-session.mjs), so the services' migrations and SQL are the ones they run on PostgreSQL.
//
// One connection: a transaction of one service and any statement of another must not interleave on it,
// so every handle of the database takes its turn on one lock. Hence one rule for the code that uses
// them: a transaction of one schema must not wait for another schema of the same database (it would
// wait for itself). The embedded runtime keeps its event log in an instance of its own for that reason:
// an outbox relay publishes to the log inside its service's transaction.
import { oneAtATime } from './one-at-a-time.js';
import { quoteIdentifier } from './pglite-session.mjs';
import { pipelinedDatabase } from './pipelined.js';
import type { Database, QueryResult, Statement } from './port.js';

/** One connection whose statements can name the schema they run in. */
export interface SchemaConnection {
  run(statements: Statement[], schema?: string): Promise<QueryResult<Record<string, unknown>>[]>;
  exec(sql: string, schema?: string): Promise<void>;
  close(): Promise<void>;
}

export interface SchemaDatabases<S extends string> {
  /** A Database per schema; closing the last of them closes the connection. */
  schemas: Record<S, Database>;
  /** Closes the connection (the handles not closed yet with it). */
  close(): Promise<void>;
}

/** A valid schema name: lower-case letters, digits and underscores, starting with a letter. */
const SCHEMA_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** Throws unless every name is a plain schema name, once. */
export function checkSchemaNames(names: readonly string[]) {
  for (const name of names)
    if (!SCHEMA_NAME.test(name)) throw new Error(`schema name ${JSON.stringify(name)}: lower-case letters, digits and _ only`);
  if (new Set(names).size !== names.length) throw new Error(`schema names repeat: ${names.join(', ')}`);
}

/** Creates the schemas that are missing, and a Database for each, over one connection. */
export async function schemaDatabases<S extends string>(conn: SchemaConnection, names: readonly S[]): Promise<SchemaDatabases<S>> {
  checkSchemaNames(names);
  const turn = oneAtATime();
  await turn(() => conn.exec(names.map((n) => `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(n)};`).join('\n')));
  const open = new Set<S>(names);
  let closed: Promise<void> | undefined;
  const closeConnection = () => (closed ??= turn(() => conn.close()));

  const handle = (schema: S): Database => {
    let handleClosed = false;
    const ensureOpen = () => {
      if (handleClosed || closed) throw new Error(`the database of schema ${schema} is closed`);
    };
    const inner = pipelinedDatabase({
      run: (statements) => conn.run(statements, schema),
      exec: (sql) => conn.exec(sql, schema),
      close: async () => undefined,
    });
    return {
      kind: inner.kind,
      query: (text, params) =>
        turn(async () => {
          ensureOpen();
          return inner.query(text, params);
        }),
      exec: (text) =>
        turn(async () => {
          ensureOpen();
          return inner.exec(text);
        }),
      transaction: (fn) =>
        turn(async () => {
          ensureOpen();
          return inner.transaction(fn);
        }),
      async close() {
        if (handleClosed) return;
        handleClosed = true;
        open.delete(schema);
        if (open.size === 0) await closeConnection();
      },
    };
  };
  return { schemas: Object.fromEntries(names.map((n) => [n, handle(n)])) as Record<S, Database>, close: closeConnection };
}
