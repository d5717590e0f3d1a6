import type { PGlite } from '@electric-sql/pglite';
import type { QueryResult, Statement } from './port.js';

export interface PgliteSession {
  run(statements: Statement[]): Promise<QueryResult<Record<string, unknown>>[]>;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}
export function createSession(pg: PGlite): PgliteSession;
