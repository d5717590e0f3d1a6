// `npm run bench:seed-demo`: the seeds' demo pasted back to back (no pause, no retry), many times, and
// how often it gave the seeds' outcome (every time is the only good answer; exits 1 otherwise).
//   --runs N    pastes on one embedded system, each registering a flight of its own (default 100)
//   --fresh K   pastes on a fresh system each, exactly as the seeds write them: flight 1 (default 10)
//   --cluster   the distributed runtime instead (PostgreSQL + NATS JetStream on this machine)
import { parseArgs } from 'node:util';
import { dropDatabases, deleteStream, uniqueName, NATS_URL } from '@airline/testing/plain';
import { startEmbeddedSystem, FREE_PORTS } from '../runtime/system.js';
import { startCluster } from '../runtime/cluster.js';
import { gaveSeedsOutcome, pasteSeedDemo, type SeedDemoRun, type SeedDemoUrls } from '../test/support/seed-demo.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100' },
    fresh: { type: 'string', default: '10' },
    cluster: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const fresh = Number(values.fresh);

/** A system to paste into: its service URLs, and how to stop it. */
async function startSystem(): Promise<{ urls: SeedDemoUrls; stop(): Promise<void> }> {
  if (!values.cluster) {
    const system = await startEmbeddedSystem({ ports: FREE_PORTS });
    return { urls: system.urls, stop: () => system.stop() };
  }
  const run = uniqueName('seeddemo');
  const cluster = await startCluster({ dbPrefix: run, eventsPrefix: run, ports: 'free', output: 'ignore' });
  return {
    urls: { flight: cluster.urls.flight!, reservation: cluster.urls.reservation!, dashboard: cluster.urls.dashboard! },
    async stop() {
      await cluster.stopAll();
      await deleteStream(run, NATS_URL);
      await dropDatabases(run);
    },
  };
}

const failures: SeedDemoRun[] = [];
const t0 = performance.now();
const shared = await startSystem();
try {
  for (let i = 0; i < runs; i++) {
    const run = await pasteSeedDemo(shared.urls, `SD${String(i).padStart(4, '0')}`);
    if (!gaveSeedsOutcome(run)) failures.push(run);
  }
} finally {
  await shared.stop();
}
for (let i = 0; i < fresh; i++) {
  const system = await startSystem();
  try {
    const run = await pasteSeedDemo(system.urls);
    if (run.flightId !== 1 || !gaveSeedsOutcome(run)) failures.push(run);
  } finally {
    await system.stop();
  }
}
console.log(
  JSON.stringify(
    {
      runtime: values.cluster ? 'cluster' : 'embedded',
      pastes: runs + fresh,
      'on one system': runs,
      'on a fresh system': fresh,
      "gave the seeds' outcome": runs + fresh - failures.length,
      seconds: Number(((performance.now() - t0) / 1000).toFixed(1)),
      failures,
    },
    null,
    2,
  ),
);
process.exit(failures.length === 0 ? 0 : 1);
