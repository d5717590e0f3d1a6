// `npm run bench:startup`: how long the embedded system takes to come up — with no data yet (a first
// `npm start`), and again on the data it wrote (a restart) — measured from spawning its process to its
// services listening. Prints JSON. The PGlite template (node_modules/.cache) is built first if missing,
// and that build is reported on its own.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { pgliteTemplate } from '@airline/database';

const fixture = fileURLToPath(new URL('../test/e2e/fixtures/system-process.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'airline-startup-'));

/** Starts the system on `dataDir`; resolves with the seconds until it listens, then stops it. */
async function startOnce(): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], { env: { ...process.env, DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', () => resolve());
    child.once('exit', (code) => reject(new Error(`the system exited (${code}) before it listened`)));
  });
  const seconds = (performance.now() - started) / 1000;
  child.kill('SIGTERM');
  await exited;
  return Number(seconds.toFixed(1));
}

const t = performance.now();
await pgliteTemplate();
const template = Number(((performance.now() - t) / 1000).toFixed(1));
const first = await startOnce();
const restart = await startOnce();
rmSync(dataDir, { recursive: true, force: true });
console.log(JSON.stringify({ 'template ready after s': template, 'first start s': first, 'restart s': restart }, null, 2));
