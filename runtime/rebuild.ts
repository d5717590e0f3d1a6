// `npm run rebuild -- dashboard [--url http://127.0.0.1:8085] [--json]`
// `npm run rebuild -- dashboard --offline [--data-dir ./data]`
// Replays the event log into fresh read models and swaps them in (services/dashboard/src/rebuild.ts).
// By default it asks the running dashboard to do it (POST /read-models/rebuild), which works on both
// runtimes: the embedded one reads its in-process log, the distributed one the JetStream stream. The
// dashboard is found at --url, else DASHBOARD_URL, else its seed port on 127.0.0.1.
// --offline rebuilds the embedded runtime's databases under --data-dir (DATA_DIR, ./data) directly:
// only while that system is stopped (an embedded database has one user at a time).
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { migrate } from '@airline/database';
import { dashboardService, rebuildReadModels } from '@airline/dashboard';
import { idempotencyMigration } from '@airline/http';
import { createEmbeddedEventBus } from '@airline/messaging';
import { messagingMigration } from '@airline/outbox';
import { openStoppedDatabase } from './databases.js';

const usage = 'usage: npm run rebuild -- dashboard [--url <dashboard url>] [--json] | dashboard --offline [--data-dir ./data]';
const { values, positionals } = parseArgs({
  options: {
    url: { type: 'string' },
    offline: { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
  allowPositionals: true,
});
if (values.help || positionals.length !== 1 || positionals[0] !== 'dashboard') {
  console.error(
    positionals[0] && positionals[0] !== 'dashboard'
      ? `${positionals[0]} has no read models to rebuild; the dashboard has.\n${usage}`
      : usage,
  );
  process.exit(values.help ? 0 : 2);
}

interface RebuildResult {
  events: number;
  lastSeq: number;
  tookMs: number;
  tables: Record<string, number>;
}

function report(result: RebuildResult, where: string) {
  if (values.json) {
    console.log(JSON.stringify(result));
    return;
  }
  console.log(
    `dashboard rebuilt from ${result.events} events of the log (up to position ${result.lastSeq}) in ${result.tookMs} ms, ${where}`,
  );
  for (const [table, rows] of Object.entries(result.tables)) console.log(`  ${table.padEnd(24)} ${rows} rows`);
}

if (values.offline) {
  const dataDir = values['data-dir'] ?? process.env.DATA_DIR ?? './data';
  if (!existsSync(join(dataDir, 'event-log'))) {
    console.error(`no embedded event log under ${dataDir} (give --data-dir)`);
    process.exit(1);
  }
  // in either layout of DATA_DIR (runtime/databases.ts): the dashboard's schema of the services' database, or its own
  const busDb = await openStoppedDatabase(dataDir, 'event-log');
  const db = await openStoppedDatabase(dataDir, 'dashboard');
  try {
    const log = await createEmbeddedEventBus(busDb);
    await migrate(db, [messagingMigration, idempotencyMigration, ...dashboardService.migrations]);
    report(await rebuildReadModels(db, log), `offline in ${dataDir}`);
    await log.close();
  } finally {
    await db.close();
    await busDb.close();
  }
} else {
  const url = (values.url ?? process.env.DASHBOARD_URL ?? 'http://127.0.0.1:8085').replace(/\/+$/, '');
  let res: Response;
  try {
    res = await fetch(`${url}/read-models/rebuild`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  } catch (err) {
    console.error(`the dashboard does not answer at ${url} (${(err as Error & { cause?: Error }).cause?.message ?? String(err)}).`);
    console.error('Is the system running? Give --url, or rebuild a stopped embedded system with --offline.');
    process.exit(1);
  }
  const body = (await res.json()) as RebuildResult & { detail?: string; title?: string };
  if (!res.ok) {
    console.error(`rebuild refused (${res.status} ${body.title ?? ''}): ${body.detail ?? JSON.stringify(body)}`);
    process.exit(1);
  }
  report(body, `by the dashboard at ${url}`);
}
