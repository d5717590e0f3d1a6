import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { createSession } from './pglite-session.mjs';
import { pipelinedDatabase } from './pipelined.js';
import type { Database } from './port.js';

/**
 * Embedded PostgreSQL (WASM) on the calling thread, in a directory of its own; `dir` undefined = in
 * memory (unit tests). Same session code as the worker-thread adapter, so the same values come back.
 */
export async function createPgliteDatabase(dir?: string): Promise<Database> {
  if (dir) mkdirSync(dir, { recursive: true });
  return pipelinedDatabase(createSession(await PGlite.create(dir ? { dataDir: dir } : {})));
}
