// What every PGlite database of a process starts from, prepared once:
//   - the WebAssembly and the file-system bundle, read and compiled once (a compiled WebAssembly.Module
//     and a Blob can be handed to worker threads);
//   - an initialised, empty cluster (the template). initdb costs several seconds of CPU per database;
//     a new database is a copy of the template instead (a directory copy, or PGlite's loadDataDir for an
//     in-memory one). The template is kept on disk between runs (PGLITE_TEMPLATE_DIR, default under the
//     system's temporary directory, one per PGlite version), built in a private directory and renamed
//     into place, so concurrent processes never see half of one.
import { existsSync, mkdirSync, cpSync, renameSync, rmSync, readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PGlite } from '@electric-sql/pglite';

export interface PgliteArtifacts {
  pgliteWasmModule: WebAssembly.Module;
  initdbWasmModule: WebAssembly.Module;
  fsBundle: Blob;
}

// (createRequire: vitest's module runner has no import.meta.resolve)
const dist = new URL('.', pathToFileURL(createRequire(import.meta.url).resolve('@electric-sql/pglite')));

let loading: Promise<PgliteArtifacts> | undefined;

export function pgliteArtifacts(): Promise<PgliteArtifacts> {
  loading ??= (async () => {
    const [pglite, initdb, bundle] = await Promise.all(['pglite.wasm', 'initdb.wasm', 'pglite.data'].map((f) => readFile(new URL(f, dist))));
    const [pgliteWasmModule, initdbWasmModule] = await Promise.all([WebAssembly.compile(pglite!), WebAssembly.compile(initdb!)]);
    return { pgliteWasmModule, initdbWasmModule, fsBundle: new Blob([bundle!]) };
  })();
  return loading;
}

export interface PgliteTemplate {
  /** An initialised, cleanly shut down data directory: copy it, never open it. */
  dir: string;
  /** The same cluster as a tarball, for in-memory databases (PGlite's loadDataDir); read at first use. */
  tarball(): Promise<Blob>;
}

let templating: Promise<PgliteTemplate> | undefined;

export function pgliteTemplate(): Promise<PgliteTemplate> {
  templating ??= (async () => {
    const version = JSON.parse(await readFile(new URL('../package.json', dist), 'utf8')).version as string;
    const root = process.env.PGLITE_TEMPLATE_DIR ?? join(tmpdir(), `airline-pglite-template-${version}`);
    if (!existsSync(join(root, 'cluster.tar'))) {
      const building = `${root}.building-${randomUUID()}`;
      try {
        mkdirSync(building, { recursive: true });
        const pg = await PGlite.create({ ...(await pgliteArtifacts()), dataDir: join(building, 'data') });
        const tarball = await pg.dumpDataDir('none');
        await pg.close();
        await writeFile(join(building, 'cluster.tar'), Buffer.from(await tarball.arrayBuffer()));
        try {
          renameSync(building, root);
        } catch (err) {
          // another process put its template there first: use that one
          if (!existsSync(join(root, 'cluster.tar'))) throw err;
        }
      } finally {
        rmSync(building, { recursive: true, force: true });
      }
    }
    let tarball: Promise<Blob> | undefined;
    return { dir: join(root, 'data'), tarball: () => (tarball ??= readFile(join(root, 'cluster.tar')).then((b) => new Blob([b]))) };
  })();
  return templating;
}

/**
 * Where PGlite finds the database in `dir` (undefined: a new one in memory), copying the template there
 * when there is none yet: into a sibling directory first and renamed into place, so that a crash never
 * leaves half a database behind.
 */
export async function pgliteDataOptions(dir: string | undefined): Promise<{ dataDir: string } | { loadDataDir: Blob }> {
  const template = await pgliteTemplate();
  if (!dir) return { loadDataDir: await template.tarball() };
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`${dir} holds files but no database`);
    const copying = `${dir}.creating-${randomUUID()}`;
    try {
      cpSync(template.dir, copying, { recursive: true });
      mkdirSync(dir, { recursive: true });
      renameSync(copying, dir); // replaces the empty directory
    } finally {
      rmSync(copying, { recursive: true, force: true });
    }
  }
  return { dataDir: dir };
}
