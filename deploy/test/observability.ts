// What the alert rules and the Grafana dashboard are checked with (observability.unit.spec.ts,
// prometheus.int.spec.ts).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { root } from './manifests.js';


const read = (path: string) => readFileSync(join(root, path), 'utf8');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    if (name === 'node_modules' || name === 'test') continue;
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) out.push(...sourceFiles(path));
    else if (path.endsWith('.ts') && !path.endsWith('.spec.ts')) out.push(path);
  }
  return out;
}

/** Metric names the code registers: string literals 'airline_…' in packages/ and services/ sources. */
export function exportedMetrics(): Set<string> {
  const names = new Set<string>();
  for (const file of [...sourceFiles('packages'), ...sourceFiles('services')]) {
    for (const m of read(file).matchAll(/['"`](airline_[a-z0-9_]+)['"`]/g)) names.add(m[1]!);
  }
  return names;
}

/** Base names (histogram series suffixes dropped) of the airline_ metrics an expression reads. */
export const metricsIn = (expr: string) => [...expr.matchAll(/\b(airline_[a-z0-9_]+)/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, ''));

export const rules = parse(read('deploy/prometheus/alerts.yaml')) as { groups: Array<{ name: string; rules: Array<{ alert: string; expr: string }> }> };
export const dashboard = JSON.parse(read('deploy/grafana/airline.json')) as { uid: string; panels: Array<{ id: number; type: string; title: string; targets?: Array<{ expr: string }> }> };
export const dashboardExpressions = () => dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

