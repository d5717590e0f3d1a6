// A real Prometheus (Debian's `prometheus` package, which CI installs) scrapes the running embedded system,
// loads the shipped alert rules, and answers a query for a pipeline metric through its HTTP API: the
// names, labels and exposition of /metrics work with the server, not only with a parser of our own.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort } from '@airline/testing';
import { FREE_PORTS, startEmbeddedSystem, type EmbeddedSystem } from '../../runtime/system.js';
import { root } from './manifests.js';
import { dashboardExpressions } from './observability.js';

let system: EmbeddedSystem;
let prometheus: ChildProcess;
let api: string;
let output = '';
const scratch = mkdtempSync(join(tmpdir(), 'airline-prometheus-'));

beforeAll(async () => {
  system = await startEmbeddedSystem({ ports: FREE_PORTS });
  // the gateway's metrics are on its management port (staff-only on the public one)
  const targets = Object.entries({ ...system.urls, gateway: system.managementUrl }).map(([name, url]) => ({ name, hostPort: new URL(url).host }));
  const port = await freePort();
  api = `http://127.0.0.1:${port}`;
  // the scrape job the ServiceMonitor makes: job "airline", the services' own `service` label kept
  writeFileSync(
    join(scratch, 'prometheus.yml'),
    JSON.stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [join(root, 'deploy/prometheus/alerts.yaml')],
      scrape_configs: [{ job_name: 'airline', honor_labels: true, static_configs: [{ targets: targets.map((t) => t.hostPort) }] }],
    }),
  );
  prometheus = spawn(
    'prometheus',
    [`--config.file=${join(scratch, 'prometheus.yml')}`, `--storage.tsdb.path=${join(scratch, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prometheus.stdout!.on('data', (d) => (output += d));
  prometheus.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<never>((_, reject) => prometheus.once('exit', (code) => reject(new Error(`prometheus exited (${code}): ${output}`))));
  exited.catch(() => {});
  await Promise.race([eventually(() => fetch(`${api}/-/ready`).then((r) => r.status).catch(() => 0), (s) => s === 200), exited]);
});

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const gone = new Promise((r) => prometheus.once('exit', r));
    prometheus.kill('SIGTERM');
    await gone;
  }
  await system?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

async function query(promql: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const res = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> }; error?: string };
  if (body.status !== 'success') throw new Error(`${promql}: ${body.error}`);
  return body.data.result;
}

describe('Prometheus against the running system', () => {
  it('scrapes every process of it', async () => {
    const up = await eventually(() => query('up{job="airline"}'), (r) => r.length === Object.keys(system.urls).length && r.every((s) => s.value[1] === '1'));
    expect(up).toHaveLength(8);
  });

  it('answers a query for a pipeline metric: the flight consumer handled the booking', async () => {
    const flight = await fetch(`${system.urls.flight}/flights`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ remainingSeatsCount: 5, flightCode: 'ACE890', takeoffDate: '2030-12-25', cost: 200000 }),
    });
    expect(flight.status).toBe(201);
    const { id: flightId } = (await flight.json()) as { id: number };
    // the reservation service learns the flight from FlightRegistered (its own catalog) before it books
    await eventually(
      () => fetch(`${system.urls.reservation}/reservations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ customerId: 1, flightId, seatQty: 2, reserveDate: '2030-11-21' }) }).then((r) => r.status),
      (s) => s === 201,
    );
    const handled = await eventually(
      () => query('sum by (service, consumer) (airline_events_handled_total{event_type="ReservationPlaced", service="flight"})'),
      (r) => Number(r[0]?.value[1] ?? 0) >= 1,
    );
    expect(handled[0]!.metric).toEqual({ service: 'flight', consumer: 'flight' });
    // and the gauges read at scrape time are there too, per consumer and type
    const pending = await eventually(() => query('airline_consumer_pending_events{service="flight", event_type="ReservationPlaced"}'), (r) => r.length === 1);
    expect(pending[0]!.metric).toMatchObject({ consumer: 'flight', event_type: 'ReservationPlaced', job: 'airline' });
    const outbox = await query('airline_outbox_rows');
    expect(outbox.map((s) => s.metric.service).sort()).toEqual(['dashboard', 'flight', 'mileage', 'notification', 'payment', 'reservation']);
  });

  it('answers a query for a saga metric: the booking ended CONFIRMED', async () => {
    const outcomes = await eventually(
      () => query('sum by (status, reason) (airline_saga_outcomes_total{service="reservation"})'),
      (r) => r.length === 1 && r[0]!.value[1] === '1',
    );
    expect(outcomes[0]!.metric).toEqual({ status: 'CONFIRMED' }); // an empty label is no label to Prometheus
    const confirmed = await eventually(() => query('sum(airline_booking_confirm_seconds_count)'), (r) => r[0]?.value[1] === '1');
    expect(confirmed).toHaveLength(1);
  });

  it('accepts every query of the Grafana dashboard', async () => {
    const exprs = dashboardExpressions();
    expect(exprs.length).toBeGreaterThan(20);
    for (const expr of exprs) {
      // Grafana's own variables, as Grafana fills them in
      await expect(query(expr.replaceAll('$__rate_interval', '1m').replaceAll('$__range', '1h')), expr).resolves.toBeInstanceOf(Array);
    }
  });

  it('loads the shipped alert rules, all evaluated without error, none firing on a healthy system', async () => {
    type Groups = Array<{ name: string; rules: Array<{ name: string; health: string; lastError?: string }> }>;
    const groups = async () => ((await (await fetch(`${api}/api/v1/rules`)).json()) as { data: { groups: Groups } }).data.groups;
    const loaded = await groups();
    expect(loaded.map((g) => g.name).sort()).toEqual(['airline-http', 'airline-pipeline', 'airline-saga']);
    expect(loaded.flatMap((g) => g.rules)).toHaveLength(10);
    const evaluated = await eventually(groups, (gs) => gs.flatMap((g) => g.rules).every((r) => r.health === 'ok'));
    expect(evaluated.flatMap((g) => g.rules).filter((r) => r.lastError)).toEqual([]);
    expect(await query('ALERTS{alertstate="firing"}')).toEqual([]);
  });
});
