// `npm run bench:startup`: how long the embedded system takes to come up — with no data yet (a first
// `npm start`), and again on the data it wrote (a restart) — measured from spawning its process to its
// services listening. Prints JSON. The PGlite template (node_modules/.cache) is built first if missing,
// and that build is reported on its own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pgliteTemplate } from '@airline/database';
import { launchSystem } from '../test/e2e/fixtures/launch.js';

const dataDir = mkdtempSync(join(tmpdir(), 'airline-startup-'));

/** Starts the system on `dataDir`; resolves with the seconds until it listens, then stops it. */
async function startOnce(): Promise<number> {
  const started = performance.now();
  const { child, exited } = await launchSystem({ DATA_DIR: dataDir });
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
