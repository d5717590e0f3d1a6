import type { PGlite } from '@electric-sql/pglite';
import type { QueryResult, Statement } from './port.js';

export interface PgliteSession {
  /** With `schema`: search_path at that schema (its own prepared statements). */
  run(statements: Statement[], schema?: string): Promise<QueryResult<Record<string, unknown>>[]>;
  exec(sql: string, schema?: string): Promise<void>;
  close(): Promise<void>;
}
export function createSession(pg: PGlite): PgliteSession;
export function quoteIdentifier(name: string): string;
