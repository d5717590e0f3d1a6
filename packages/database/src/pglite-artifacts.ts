// What every PGlite database of a process starts from, prepared once:
//   - the WebAssembly and the file-system bundle, read and compiled once (a compiled WebAssembly.Module
//     and a Blob can be handed to worker threads);
//   - an initialised, empty cluster (the template). initdb costs several seconds of CPU per database;
//     a new database is a copy of the template instead (a directory copy, or PGlite's loadDataDir for an
//     in-memory one). The template is kept on disk between runs (PGLITE_TEMPLATE_DIR, default in the
//     project's node_modules/.cache, one per PGlite version), built in a private directory and renamed
//     into place, so concurrent processes never see half of one; one that has lost a file since (a
//     temporary-directory cleaner) is built again. Its files are its owner's only (0600/0700), and so are
//     the copies made of it; one that someone else could have written to is not trusted, but rebuilt.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { makeTreePrivate, writableByOthers } from './pglite-permissions.js';

export interface PgliteArtifacts {
  pgliteWasmModule: WebAssembly.Module;
  initdbWasmModule: WebAssembly.Module;
  fsBundle: Blob;
  /** PostgreSQL's settings for every database (see pgliteSettings). */
  startParams: string[];
}

/**
 * PostgreSQL's memory settings for an embedded database. Its shared memory lives in the WebAssembly
 * heap, and PGlite zeroes all of it at start, so all of it is resident from the first second:
 * PostgreSQL's default shared_buffers (128 MB) made each database cost about 155 MB before it held a
 * row. An embedded database of this system holds a few MB to a few hundred; pages that do not fit in
 * its buffers are read back from the operating system's page cache, not from the disk.
 */
export const pgliteSettings: Record<string, string> = { shared_buffers: '8MB' };

// (createRequire: vitest's module runner has no import.meta.resolve)
const dist = new URL('.', pathToFileURL(createRequire(import.meta.url).resolve('@electric-sql/pglite')));

let loading: Promise<PgliteArtifacts> | undefined;

export function pgliteArtifacts(): Promise<PgliteArtifacts> {
  loading ??= (async () => {
    const [pglite, initdb, bundle] = await Promise.all(
      ['pglite.wasm', 'initdb.wasm', 'pglite.data'].map((f) => readFile(new URL(f, dist))),
    );
    const [pgliteWasmModule, initdbWasmModule] = await Promise.all([WebAssembly.compile(pglite!), WebAssembly.compile(initdb!)]);
    const startParams = [
      ...PGlite.defaultStartParams,
      ...Object.entries(pgliteSettings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    ];
    return { pgliteWasmModule, initdbWasmModule, fsBundle: new Blob([bundle!]), startParams };
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
    // default: the project's node_modules/.cache (where build tools keep theirs): the installing user's own,
    // not a shared temporary directory where another user could have put a cluster
    const root = process.env.PGLITE_TEMPLATE_DIR ?? fileURLToPath(new URL(`../../../.cache/airline-pglite-template-${version}`, dist));
    if (existsSync(root) && !isWhole(root)) {
      // something removed part of it (a cleaner of temporary files, a hand): set it aside and build it again
      const broken = `${root}.broken-${randomUUID()}`;
      try {
        renameSync(root, broken);
      } catch {
        // another process set it aside first
      }
      rmSync(broken, { recursive: true, force: true });
    }
    if (!existsSync(root)) {
      const building = `${root}.building-${randomUUID()}`;
      try {
        mkdirSync(building, { recursive: true });
      } catch {
        // nowhere to keep one (a read-only install): this process builds its own, for itself
        const own = mkdtempSync(join(tmpdir(), 'airline-pglite-template-'));
        process.once('exit', () => rmSync(own, { recursive: true, force: true }));
        await buildTemplate(own);
        return templateAt(own);
      }
      try {
        await buildTemplate(building);
        try {
          renameSync(building, root);
        } catch (err) {
          // another process put its template there first: use that one
          if (!existsSync(join(root, MANIFEST))) throw err;
        }
      } finally {
        rmSync(building, { recursive: true, force: true });
      }
    }
    return templateAt(root);
  })();
  return templating;
}

/** initdb once, in `dir`: the cluster (data/), the same as a tarball, and the manifest, written last. */
async function buildTemplate(dir: string) {
  const pg = await PGlite.create({ ...(await pgliteArtifacts()), dataDir: join(dir, 'data') });
  const tarball = await pg.dumpDataDir('none');
  await pg.close();
  await writeFile(join(dir, 'cluster.tar'), Buffer.from(await tarball.arrayBuffer()));
  makeTreePrivate(dir); // initdb leaves its files 0666; copies keep the template's modes
  await writeFile(join(dir, MANIFEST), JSON.stringify(filesOf(dir)), { mode: 0o600 });
}

function templateAt(root: string): PgliteTemplate {
  let tarball: Promise<Blob> | undefined;
  return { dir: join(root, 'data'), tarball: () => (tarball ??= readFile(join(root, 'cluster.tar')).then((b) => new Blob([b]))) };
}

/** The template's list of its own files and their sizes, written last before it is renamed into place. */
const MANIFEST = 'manifest.json';

/** Every file below `root` (but the manifest) with its size, by path relative to `root`. */
function filesOf(root: string): Record<string, number> {
  const files: Record<string, number> = {};
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if (path !== join(root, MANIFEST)) files[relative(root, path)] = statSync(path).size;
  }
  return files;
}

/** Whether the template still has every file it was built with, each of its size, and no one else could have changed it. */
function isWhole(root: string): boolean {
  try {
    if (writableByOthers(root)) return false;
    const expected = JSON.parse(readFileSync(join(root, MANIFEST), 'utf8')) as Record<string, number>;
    const found = filesOf(root);
    return Object.keys(expected).length > 0 && Object.entries(expected).every(([path, size]) => found[path] === size);
  } catch {
    return false;
  }
}

/**
 * Where PGlite finds the database in `dir` (undefined: a new one in memory), copying the template there
 * when there is none yet: into a sibling directory first and renamed into place, so that a crash never
 * leaves half a database behind.
 */
export async function pgliteDataOptions(dir: string | undefined): Promise<{ dataDir: string } | { loadDataDir: Blob }> {
  if (!dir) return { loadDataDir: await (await pgliteTemplate()).tarball() };
  // an existing database (a restart) needs no template: it is neither checked nor read
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`${dir} holds files but no database`);
    const template = await pgliteTemplate();
    const copying = `${dir}.creating-${randomUUID()}`;
    try {
      cpSync(template.dir, copying, { recursive: true });
      makeTreePrivate(copying); // the template's modes are private already; a copy must be, whatever it came from
      mkdirSync(dir, { recursive: true, mode: 0o700 }); // and so is DATA_DIR, when this makes it
      renameSync(copying, dir); // replaces the empty directory
    } finally {
      rmSync(copying, { recursive: true, force: true });
    }
  }
  return { dataDir: dir };
}
