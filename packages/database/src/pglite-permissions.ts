// Embedded data is its owner's alone: DATA_DIR holds every service's database and the gateway's token
// signing key. PGlite's initdb leaves its files 0666 and a directory copy keeps those modes, so modes
// are set here, not left to the umask: directories 0700, files 0600 (only the group and world bits are
// taken away). Symbolic links are not followed. PostgreSQL opens its data files 0600 itself, but the
// few it writes through fopen (pg_internal.init at start, pgstat.stat at shutdown) follow the WASM
// file system's own umask (022, out of reach): a database is made private again once it has opened
// and once it has closed (pglite.ts, pglite-worker.ts).
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const OTHERS = 0o077;

/** Takes the group and world bits off `path` and everything below it; returns what had any. */
export function makeTreePrivate(path: string): string[] {
  const loosened: string[] = [];
  const visit = (p: string) => {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) return;
    if (st.mode & OTHERS) {
      chmodSync(p, st.mode & 0o700);
      loosened.push(p);
    }
    if (st.isDirectory()) for (const name of readdirSync(p)) visit(join(p, name));
  };
  visit(path);
  return loosened;
}

/**
 * A private directory (0700, made with its parents when missing), and everything in it private too.
 * Answers the entries that were readable or writable by others (the caller warns about them).
 */
export function makePrivateDirectory(dir: string): string[] {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return makeTreePrivate(dir);
}

/** Whether anything below `path` can be written by anyone but its owner, or belongs to someone else. */
export function writableByOthers(path: string): boolean {
  const uid = process.getuid?.();
  const visit = (p: string): boolean => {
    const st = lstatSync(p);
    if ((uid !== undefined && st.uid !== uid) || (!st.isSymbolicLink() && st.mode & 0o022)) return true;
    return st.isDirectory() && readdirSync(p).some((name) => visit(join(p, name)));
  };
  return visit(path);
}
