import { PGlite } from '@electric-sql/pglite';
import { createSession } from './pglite-session.mjs';
import { pgliteArtifacts, pgliteDataOptions } from './pglite-artifacts.js';
import { makeTreePrivate } from './pglite-permissions.js';
import { checkSchemaNames, schemaDatabases, type SchemaDatabases } from './pglite-schemas.js';
import { pipelinedDatabase } from './pipelined.js';
import type { Database } from './port.js';

/**
 * Embedded PostgreSQL (WASM) on the calling thread, in a directory of its own; `dir` undefined = in
 * memory (unit tests). Same session code as the worker-thread adapter, so the same values come back.
 */
export async function createPgliteDatabase(dir?: string): Promise<Database> {
  const db = pipelinedDatabase(createSession(await PGlite.create({ ...(await pgliteArtifacts()), ...(await pgliteDataOptions(dir)) })));
  if (!dir) return db;
  // what PostgreSQL writes as it starts and as it shuts down follows the WASM umask: made private (pglite-permissions.ts)
  makeTreePrivate(dir);
  return {
    ...db,
    async close() {
      await db.close();
      makeTreePrivate(dir);
    },
  };
}

/** The database in `dir` (undefined = in memory) on the calling thread, as one Database per schema (pglite-schemas.ts). */
export async function createPgliteSchemas<S extends string>(dir: string | undefined, schemas: readonly S[]): Promise<SchemaDatabases<S>> {
  checkSchemaNames(schemas); // before anything is opened
  const session = createSession(await PGlite.create({ ...(await pgliteArtifacts()), ...(await pgliteDataOptions(dir)) }));
  if (dir) makeTreePrivate(dir);
  return schemaDatabases(
    {
      run: (statements, schema) => session.run(statements, schema),
      exec: (sql, schema) => session.exec(sql, schema),
      async close() {
        await session.close();
        if (dir) makeTreePrivate(dir);
      },
    },
    schemas,
  );
}
