// The alert rules and the Grafana dashboard speak of metrics by name: each name must be one the code
// exports, so a misspelt name fails here instead of alerting on nothing forever.
import { describe, expect, it } from 'vitest';
import { dashboard, dashboardExpressions, exportedMetrics, metricsIn, rules } from './observability.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './manifests.js';

const read = (path: string) => readFileSync(join(root, path), 'utf8');

describe('metric names in the alert rules and the dashboard', () => {
  const known = exportedMetrics();

  it('are exported by the code (the pipeline, saga, breaker and group-commit metrics are)', () => {
    const exported = exportedMetrics();
    for (const name of [
      'airline_outbox_rows',
      'airline_outbox_oldest_age_seconds',
      'airline_consumer_pending_events',
      'airline_dead_letters',
      'airline_events_handled_total',
      'airline_stream_bytes',
      'airline_saga_outcomes_total',
      'airline_booking_confirm_seconds',
      'airline_saga_pending_oldest_age_seconds',
      'airline_processor_breaker_state',
      'airline_processor_calls_total',
      'airline_group_commit_size',
      'airline_payments_refund_failed',
    ]) {
      expect(exported).toContain(name);
    }
  });

  it('are all known: exported by the code', () => {
    const used = [...rules.groups.flatMap((g) => g.rules.map((r) => r.expr)), ...dashboardExpressions()].flatMap(metricsIn);
    expect(used.length).toBeGreaterThan(20);
    expect([...new Set(used.filter((n) => !known.has(n)))]).toEqual([]);
  });

  it('catch a misspelt name', () => {
    expect(metricsIn('max(airline_outbox_oldest_age_second) > 30').filter((n) => !known.has(n))).toEqual(['airline_outbox_oldest_age_second']);
  });

  it('follow Prometheus conventions: counters end in _total, durations are in _seconds, no unit-less times', () => {
    for (const name of known) {
      expect(name).toMatch(/^airline_[a-z0-9_]+$/);
      expect(name).not.toMatch(/_(ms|milliseconds|secs)$/);
    }
    const counters = [...read('packages/service/src/pipeline-metrics.ts').matchAll(/counter\(\s*'([a-z_]+)'/g)].map((m) => m[1]!);
    expect(counters.length).toBeGreaterThan(4);
    for (const c of counters) expect(c).toMatch(/_total$/);
  });
});

describe('the Grafana dashboard', () => {
  it('has unique panel ids and a query in every panel', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels.filter((x) => x.type !== 'row')) expect(p.targets?.length, p.title).toBeGreaterThan(0);
  });

  it('shows what the issue asks: saga rate and outcomes, time to confirm, lag, dead letters, breaker, and requests, errors and duration per service', () => {
    const exprs = dashboardExpressions().join('\n');
    for (const needle of [
      'rate(airline_saga_outcomes_total',
      'increase(airline_saga_outcomes_total',
      'airline_booking_confirm_seconds_bucket',
      'airline_consumer_pending_events',
      'airline_dead_letters',
      'airline_processor_breaker_state',
      'sum by (service) (rate(http_request_duration_seconds_count[',
      'status=~"5.."',
      'sum by (service, le) (rate(http_request_duration_seconds_bucket[',
    ]) {
      expect(exprs).toContain(needle);
    }
  });
});
