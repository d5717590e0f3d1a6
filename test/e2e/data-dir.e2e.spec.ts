// DATA_DIR is its owner's alone: every database, the gateway's token signing key and the first start's
// demo passwords. After a start nothing under it has a group or world permission bit, whether the
// directory is new or was left loose by an older version (then the start says so in the log), and the
// demo passwords are in a private file, not in the log.
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { pgliteTemplate } from '@airline/database';
import { FREE_PORTS, startEmbeddedSystem } from '../../runtime/system.js';
import { openStoppedDatabase } from '../../runtime/databases.js';

const dataDir = mkdtempSync(join(tmpdir(), 'airline-data-dir-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Every entry below `root` (root included) whose mode has a group or world bit, as `path mode`. */
function loose(root: string): string[] {
  const found: string[] = [];
  const visit = (p: string) => {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) return;
    if (st.mode & 0o077) found.push(`${p} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const name of readdirSync(p)) visit(join(p, name));
  };
  visit(root);
  return found;
}

function chmodTree(root: string, dirMode: number, fileMode: number) {
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    const p = join(entry.parentPath, entry.name);
    if (entry.isDirectory()) chmodSync(p, dirMode);
    else if (entry.isFile()) chmodSync(p, fileMode);
  }
  chmodSync(root, dirMode);
}

async function startAndStop() {
  const lines: string[] = [];
  const log = pino(
    { level: 'info' },
    new Writable({
      write: (chunk, _enc, done) => {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  const system = await startEmbeddedSystem({ dataDir, ports: FREE_PORTS, log });
  await system.stop();
  return lines;
}

describe('DATA_DIR', () => {
  it('a first start makes it and everything in it private (0700/0600), copied from a private template', async () => {
    chmodSync(dataDir, 0o755); // as an older version, or a hand, left it
    const lines = await startAndStop();
    expect(loose(dataDir)).toEqual([]);
    expect(lstatSync(dataDir).mode & 0o777).toBe(0o700);
    // the template the databases are copied from: nobody else may read or change it
    const template = join((await pgliteTemplate()).dir, '..');
    expect(loose(template)).toEqual([]);
    // the start said it had to tighten the directory it was given
    expect(lines.some((l) => l.includes('made private'))).toBe(true);

    // the signing key is a file of its own, and the gateway's database holds none
    expect(readFileSync(join(dataDir, 'gateway-signing-key.pem'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const gatewayDb = await openStoppedDatabase(dataDir, 'gateway');
    try {
      expect((await gatewayDb.query("SELECT to_regclass('signing_keys')::text AS t")).rows[0]).toEqual({ t: null });
      expect((await gatewayDb.query("SELECT 1 FROM pg_tables WHERE tablename = 'signing_keys'")).rowCount).toBe(0); // nor any schema beside it
    } finally {
      await gatewayDb.close();
    }

    // the demo passwords: in the private file, and in no log line
    const passwords = [...readFileSync(join(dataDir, 'demo-users.txt'), 'utf8').matchAll(/^\w+ +([A-Za-z0-9]{16}) /gm)].map((m) => m[1]!);
    expect(passwords).toHaveLength(4);
    for (const password of passwords) expect(lines.join('\n')).not.toContain(password);
    expect(lines.some((l) => l.includes('demo-users.txt'))).toBe(true);
  });

  it('every later start tightens what an older version (or a umask of 0) left loose, with a warning', async () => {
    chmodTree(dataDir, 0o777, 0o666);
    mkdirSync(join(dataDir, 'stray'), { mode: 0o777 });
    writeFileSync(join(dataDir, 'stray', 'notes.txt'), 'x', { mode: 0o666 });
    chmodSync(join(dataDir, 'stray', 'notes.txt'), 0o666);
    const lines = await startAndStop();
    expect(loose(dataDir)).toEqual([]);
    const warning = lines.map((l) => JSON.parse(l)).find((l) => l.msg?.includes('readable or writable by other users'));
    expect(warning).toMatchObject({ level: 40, dataDir });
    expect(warning.count).toBeGreaterThan(1000);
  });
});
