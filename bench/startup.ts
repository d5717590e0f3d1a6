// `npm run bench:startup [-- --runs 5]`: how long the embedded system takes to come up — with no data
// yet (a first `npm start`), and again on the data it wrote (a restart) — measured from spawning its
// process to its services listening, `--runs` times each (medians and every run). The PGlite template
// (node_modules/.cache) is built first if missing, and that build is reported on its own.
// Then the memory of `npm start` itself, as a laptop pays it: the resident size of the whole process
// tree (npm, its shell, node) once it is up and idle (`--idle` seconds after "airline is up"). That run
// listens on the seed ports (8082-8089, 9088): with them taken it is reported as skipped.
// `--layouts schemas,instances` measures both layouts of the databases (runtime/databases.ts: the
// services' schemas in one PGlite instance, or one instance per database as before), alternating run by
// run (A B A B: on a busy machine only an alternating pair compares), and `npm start` in each.
// Prints JSON.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { pgliteTemplate } from '@airline/database';
import { launchSystem } from '../test/e2e/fixtures/launch.js';
import { processTree } from './process-tree.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    idle: { type: 'string', default: '10', description: 'seconds after start-up before the memory of `npm start` is read' },
    'npm-start': { type: 'boolean', default: true },
    layouts: { type: 'string', default: 'schemas', description: 'comma list of DB_LAYOUT values, measured alternately' },
  },
  allowNegative: true,
  strict: false,
});
const runs = Number(args.runs);
const layouts = String(args.layouts).split(',');

/** Starts the system on `dataDir`; resolves with the seconds until it listens, then stops it. */
async function startOnce(dataDir: string, layout: string): Promise<number> {
  const started = performance.now();
  const { child, exited } = await launchSystem({ DATA_DIR: dataDir, DB_LAYOUT: layout });
  const seconds = (performance.now() - started) / 1000;
  child.kill('SIGTERM');
  await exited;
  return Number(seconds.toFixed(2));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** `npm start` on a fresh DATA_DIR: seconds until "airline is up", and the process tree's memory when idle. */
async function npmStart(layout: string) {
  const dataDir = mkdtempSync(join(tmpdir(), 'airline-npm-start-'));
  const started = performance.now();
  // detached: its own process group, so that the whole tree can be stopped at the end
  const child = spawn('npm', ['start'], {
    env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'info', DB_LAYOUT: layout },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const up = await new Promise<boolean>((resolve) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.includes('airline is up')) resolve(true);
      });
      void exited.then(() => resolve(false));
    });
    if (!up) return { skipped: '`npm start` exited before it was up (are the seed ports 8082-8089 and 9088 free?)' };
    const upAfter = Number(((performance.now() - started) / 1000).toFixed(2));
    await new Promise((r) => setTimeout(r, Number(args.idle) * 1000));
    const tree = processTree(child.pid!);
    return {
      'up after s': upAfter,
      [`idle RSS MB of the whole tree (${args.idle} s after up)`]: tree.reduce((sum, p) => sum + p.MB, 0),
      processes: tree.map((p) => `${p.name} ${p.MB} MB`).join(', '),
    };
  } finally {
    process.kill(-child.pid!, 'SIGINT');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const t = performance.now();
await pgliteTemplate();
const template = Number(((performance.now() - t) / 1000).toFixed(1));
const first: Record<string, number[]> = Object.fromEntries(layouts.map((l) => [l, []]));
const restart: Record<string, number[]> = Object.fromEntries(layouts.map((l) => [l, []]));
for (let i = 0; i < runs; i++) {
  for (const layout of layouts) {
    const dataDir = mkdtempSync(join(tmpdir(), 'airline-startup-'));
    first[layout]!.push(await startOnce(dataDir, layout));
    restart[layout]!.push(await startOnce(dataDir, layout));
    rmSync(dataDir, { recursive: true, force: true });
  }
}
const results: Record<string, unknown> = {};
for (const layout of layouts) {
  results[layout] = {
    'first start s (median)': median(first[layout]!),
    'restart s (median)': median(restart[layout]!),
    'first start s (each run)': first[layout],
    'restart s (each run)': restart[layout],
  };
}
if (args['npm-start']) for (const layout of layouts) (results[layout] as Record<string, unknown>)['npm start'] = await npmStart(layout);
console.log(
  JSON.stringify(
    { 'template ready after s': template, ...(layouts.length === 1 ? (results[layouts[0]!] as object) : { DB_LAYOUT: results }) },
    null,
    2,
  ),
);
