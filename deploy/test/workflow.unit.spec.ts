// The GitHub Actions workflow (.github/workflows/ci.yml) checked offline with GitHub's own workflow
// parser and its published workflow schema (@actions/workflow-parser, workflow-v1.0.json): a misspelt
// key, a missing required one or a malformed expression fails here, not on the first push. Then what
// the workflow must do: PostgreSQL and NATS JetStream, install from the lockfile, `npm test`, build
// the image, validate the manifests with spec files that exist.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { root } from './manifests.js';

const path = '.github/workflows/ci.yml';
const text = readFileSync(join(root, path), 'utf8');
const errorsOf = (content: string) =>
  parseWorkflow({ name: 'ci.yml', content }, new NoOperationTraceWriter())
    .context.errors.getErrors()
    .map((e) => e.message);
const workflow = parse(text) as {
  jobs: Record<string, { services?: Record<string, { image: string }>; steps: Array<{ name?: string; run?: string; uses?: string; with?: Record<string, unknown> }> }>;
};
const runs = (job: string) => workflow.jobs[job]!.steps.map((s) => s.run ?? '').join('\n');

describe('the CI workflow', () => {
  it("is valid against GitHub's workflow schema", () => {
    expect(errorsOf(text)).toEqual([]);
  });

  it('would fail the schema with a misspelt key, a missing runs-on, or a broken expression', () => {
    const misspelt = errorsOf(text.replace('    runs-on: ubuntu-24.04\n    timeout-minutes: 60', '    runs-onn: ubuntu-24.04\n    timeout-minutes: 60'));
    expect(misspelt).toContain("ci.yml (Line: 20, Col: 5): Unexpected value 'runs-onn'");
    expect(misspelt.some((m) => m.includes('Required property is missing: runs-on'))).toBe(true);
    expect(errorsOf(text.replace('ci-${{ github.ref }}', 'ci-${{ github.ref }')).length).toBeGreaterThan(0);
  });

  it('tests against PostgreSQL and NATS with JetStream, installing exactly the lockfile, then runs npm test', () => {
    expect(workflow.jobs.test!.services?.postgres?.image).toMatch(/^postgres:\d+/);
    expect(runs('test')).toMatch(/nats:[\d.]+(-alpine)? -js\b/);
    expect(runs('test')).toMatch(/^npm ci\b/m);
    expect(runs('test')).toMatch(/^npm test$/m);
    expect(runs('test')).toMatch(/apt-get install .*\bprometheus\b/); // promtool and the server the specs need
  });

  it('runs on a supported Node LTS', () => {
    for (const job of Object.values(workflow.jobs)) {
      for (const step of job.steps.filter((s) => s.uses?.startsWith('actions/setup-node'))) expect([22, 24]).toContain(step.with?.['node-version']);
    }
  });

  it('builds the image from deploy/Dockerfile', () => {
    const build = workflow.jobs.image!.steps.find((s) => s.uses?.startsWith('docker/build-push-action'));
    expect(build?.with).toMatchObject({ context: '.', file: 'deploy/Dockerfile', push: false });
  });

  it('validates the manifests with spec files that exist, and renders both kustomizations', () => {
    const specs = [...runs('manifests').matchAll(/deploy\/test\/[\w.-]+\.spec\.ts/g)].map((m) => m[0]);
    expect(specs).toEqual(expect.arrayContaining(['deploy/test/k8s-schema.unit.spec.ts', 'deploy/test/manifests.unit.spec.ts', 'deploy/test/alerts.int.spec.ts']));
    for (const spec of specs) expect(existsSync(join(root, spec)), spec).toBe(true);
    expect(runs('manifests')).toContain('kubectl kustomize deploy/k8s ');
    expect(runs('manifests')).toContain('kubectl kustomize deploy/k8s/overlays/istio ');
  });
});
