// `npm run dlq -- list [--service flight] [--json]`
// `npm run dlq -- redrive [--service flight] [id …]`
// Shows the events parked as dead letters (a consumer failed them MAX_ATTEMPTS times) and hands them to
// their consumer again after the fix. Works against either runtime: every service with consumers
// serves GET /dead-letters and POST /dead-letters/redrive. Where a service is: `<NAME>_URL`
// (FLIGHT_URL=http://127.0.0.1:8083, …), by default its seed port on 127.0.0.1.
// Ids are per service (each parks in its own database): give --service with ids.
import { parseArgs } from 'node:util';
import type { DeadLetter, RedriveResult } from '@airline/outbox';
import { clusterServices } from './cluster.js';

const usage = 'usage: npm run dlq -- list|redrive [--service <name>] [--json] [id …]';
const { values, positionals } = parseArgs({
  options: { service: { type: 'string', short: 's' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
  allowPositionals: true,
});
const [command, ...rawIds] = positionals;
if (values.help || (command !== 'list' && command !== 'redrive')) {
  console.error(usage);
  process.exit(values.help ? 0 : 2);
}
const ids = rawIds.map((x) => {
  const n = Number(x);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`not a dead-letter id: ${x}\n${usage}`);
    process.exit(2);
  }
  return n;
});
if (ids.length > 0 && !values.service) {
  console.error(`ids are per service: add --service <name>\n${usage}`);
  process.exit(2);
}

const withConsumers = clusterServices.filter((s) => s.consumers);
const targets = values.service ? withConsumers.filter((s) => s.name === values.service) : withConsumers;
if (targets.length === 0) {
  console.error(`no service ${values.service} with consumers; one of: ${withConsumers.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const urlOf = (name: string, port: number) => process.env[`${name.toUpperCase().replace(/-/g, '_')}_URL`] ?? `http://127.0.0.1:${port}`;

/** A service without consumers (the gateway) has no dead-letter routes: undefined, skipped. */
async function call<T>(url: string, init?: RequestInit): Promise<T | undefined> {
  const res = await fetch(url, init);
  const body = await res.text();
  if (res.status === 404 && !values.service) return undefined;
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url} → ${res.status} ${body}`);
  return JSON.parse(body) as T;
}

let failed = false;
const report: Record<string, unknown> = {};
for (const s of targets) {
  const base = urlOf(s.name, s.port);
  try {
    if (command === 'list') {
      const letters = await call<DeadLetter[]>(`${base}/dead-letters`);
      if (!letters) continue;
      report[s.name] = letters;
      if (!values.json) {
        console.log(`${s.name} (${base}): ${letters.length} dead letter(s)`);
        for (const l of letters) {
          console.log(
            `  #${l.id} ${l.eventType} ${l.eventId} saga ${l.event.correlationId ?? '?'} → ${l.consumer}, ${l.attempts} attempts, parked ${l.parkedAt}\n     ${l.error}`,
          );
        }
      }
    } else {
      const results = await call<RedriveResult[]>(`${base}/dead-letters/redrive`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(ids.length > 0 ? { ids } : {}),
      });
      if (!results) continue;
      report[s.name] = results;
      if (results.some((r) => r.outcome !== 'redriven')) failed = true;
      if (!values.json) {
        console.log(`${s.name} (${base}): ${results.length} redriven`);
        for (const r of results) console.log(`  #${r.id} ${r.eventId}: ${r.outcome}${r.error ? ` — ${r.error}` : ''}`);
      }
    }
  } catch (err) {
    failed = true;
    report[s.name] = { error: err instanceof Error ? err.message : String(err) };
    if (!values.json) console.error(`${s.name} (${base}): ${err instanceof Error ? err.message : String(err)}`);
  }
}
if (values.json) console.log(JSON.stringify(report, null, 2));
process.exit(failed ? 1 : 0);
