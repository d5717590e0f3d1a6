/** The database port: services see only this, never PGlite or pg directly. */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Statement {
  text: string;
  params?: unknown[];
}

export interface Sql {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<R>>;
  /** Several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
}

/** The handle of one transaction. */
export interface Tx extends Sql {
  /**
   * A statement whose result is not needed: it runs, in order, with the transaction's next query or at
   * its commit, in the same round trip. If it fails, that query (or the commit) throws its error and the
   * transaction rolls back, as if it had been awaited.
   */
  enqueue(text: string, params?: unknown[]): void;
  /** Runs fn just before COMMIT (to send writes gathered over the transaction); not when it fails first. */
  beforeCommit(fn: () => void | Promise<void>): void;
}

export interface Database extends Sql {
  readonly kind: 'pglite' | 'pg';
  /** Runs fn in one transaction: commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
