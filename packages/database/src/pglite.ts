import { PGlite } from '@electric-sql/pglite';
import { createSession } from './pglite-session.mjs';
import { pgliteArtifacts, pgliteDataOptions } from './pglite-artifacts.js';
import { pipelinedDatabase } from './pipelined.js';
import type { Database } from './port.js';

/**
 * Embedded PostgreSQL (WASM) on the calling thread, in a directory of its own; `dir` undefined = in
 * memory (unit tests). Same session code as the worker-thread adapter, so the same values come back.
 */
export async function createPgliteDatabase(dir?: string): Promise<Database> {
  return pipelinedDatabase(createSession(await PGlite.create({ ...(await pgliteArtifacts()), ...(await pgliteDataOptions(dir)) })));
}
