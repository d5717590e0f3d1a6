// The alert rules are tested by Prometheus's own tool: `promtool test rules` feeds each alert the series
// it is about (and healthy ones beside them) and compares what fires, with its labels and annotations.
// promtool comes with Debian's `prometheus` package, which CI installs: a machine without it fails
// here, it does not skip.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { root } from './manifests.js';

const dir = join(root, 'deploy/prometheus');
const promtool = (args: string[], cwd = dir) => spawnSync('promtool', args, { cwd, encoding: 'utf8' });
const scratch = mkdtempSync(join(tmpdir(), 'airline-alerts-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the alert rules', () => {
  it('are checked by promtool, which is installed', () => {
    expect(execFileSync('promtool', ['--version'], { encoding: 'utf8' })).toMatch(/promtool, version/);
    const check = promtool(['check', 'rules', 'alerts.yaml']);
    expect(check.stderr).toBe('');
    expect(check.stdout).toMatch(/SUCCESS: 10 rules found/);
  });

  it('pass their unit tests (promtool test rules)', () => {
    const run = promtool(['test', 'rules', 'alerts.test.yaml']);
    expect(run.stdout + run.stderr).toMatch(/SUCCESS/);
    expect(run.status).toBe(0);
  });

  it('are bound by those tests: a rule whose threshold drifts fails them', () => {
    copyFileSync(join(dir, 'alerts.test.yaml'), join(scratch, 'alerts.test.yaml'));
    const rules = readFileSync(join(dir, 'alerts.yaml'), 'utf8');
    const drifted = rules.replace('max by (service) (airline_outbox_oldest_age_seconds) > 30', 'max by (service) (airline_outbox_oldest_age_seconds) > 300');
    expect(drifted).not.toBe(rules);
    writeFileSync(join(scratch, 'alerts.yaml'), drifted);
    const run = promtool(['test', 'rules', 'alerts.test.yaml'], scratch);
    expect(run.status).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(/AirlineOutboxStale/);
  });
});
