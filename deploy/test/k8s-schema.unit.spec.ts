// Every Kubernetes object shipped under deploy/ (the base, the Istio overlay, the log-shipping example)
// is checked field by field against the API's schema of its kind (KEDA, Prometheus operator and Istio
// CRDs included): a field the API does not have, a value of the wrong type, a required field left out
// or a kind that does not exist fails here, as `kubectl apply --validate=strict` would fail on a cluster.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { KubernetesSchemas } from './k8s-schema.js';
import { root } from './manifests.js';

interface Shipped {
  file: string;
  object: any;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) && name !== 'kustomization.yaml' ? [path] : [];
  });
}

const shipped: Shipped[] = [join(root, 'deploy/k8s'), join(root, 'deploy/logging')].flatMap(yamlFiles).flatMap((path) =>
  parseAllDocuments(readFileSync(path, 'utf8'))
    .map((d) => d.toJS())
    .filter((o) => o !== null && o !== undefined)
    .map((object) => ({ file: relative(root, path), object })),
);

let schemas: KubernetesSchemas;
beforeAll(() => {
  schemas = new KubernetesSchemas(shipped.map((s) => s.object));
});

const problemsOf = (object: any) => schemas.validate(object).map((p) => `${p.path}: ${p.message}`);
const copyOf = (kind: string, name: string) => structuredClone(shipped.find((s) => s.object.kind === kind && s.object.metadata?.name === name)!.object);

describe('the shipped Kubernetes objects', () => {
  it('are found: the base, the overlay and the logging example, with their CRDs', () => {
    const kinds = new Set(shipped.map((s) => s.object.kind));
    for (const kind of ['Deployment', 'StatefulSet', 'Service', 'Job', 'ScaledObject', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'ServiceMonitor', 'PrometheusRule', 'NetworkPolicy', 'DestinationRule', 'VirtualService', 'DaemonSet', 'ClusterRole']) {
      expect(kinds).toContain(kind);
    }
  });

  it('of the Istio overlay build on the base: every resource it lists is there', () => {
    const overlay = join(root, 'deploy/k8s/overlays/istio/kustomization.yaml');
    const resources: string[] = parse(readFileSync(overlay, 'utf8')).resources;
    expect(resources).toEqual(['../..', 'istio.yaml']);
    for (const r of resources) {
      const path = join(dirname(overlay), r);
      expect(existsSync(path) && (statSync(path).isFile() || existsSync(join(path, 'kustomization.yaml'))), r).toBe(true);
    }
    expect(relative(root, join(dirname(overlay), '../..'))).toBe(join('deploy', 'k8s'));
  });

  it('match the API schema of their kind, every field', () => {
    const problems = shipped.flatMap(({ file, object }) => problemsOf(object).map((p) => `${file} ${object.kind}/${object.metadata?.name} ${p}`));
    expect(problems).toEqual([]);
  });
});

describe('the schema check finds', () => {
  it('a misspelt field: readinesProbe', () => {
    const d = copyOf('Deployment', 'reservation');
    const c = d.spec.template.spec.containers[0];
    c.readinesProbe = c.readinessProbe;
    delete c.readinessProbe;
    expect(problemsOf(d)).toEqual(['spec.template.spec.containers.0: has readinesProbe, which the API does not know']);
  });

  it('a value of the wrong type, and a required field left out', () => {
    const d = copyOf('Deployment', 'flight');
    d.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    delete d.spec.selector;
    const problems = problemsOf(d);
    expect(problems).toContain('spec.template.spec.containers.0.ports.0.containerPort: must be number');
    expect(problems).toContain('spec: lacks selector, which the API requires');
  });

  it('a misspelt field deep in a pod template of a Job, and in a Service port', () => {
    const job = copyOf('Job', 'airline-migrate');
    job.spec.template.spec.securityContext.runAsNonroot = true;
    expect(problemsOf(job)).toEqual(['spec.template.spec.securityContext: has runAsNonroot, which the API does not know']);
    const svc = copyOf('Service', 'payment');
    svc.spec.ports[1].targetport = 'http';
    expect(problemsOf(svc)).toEqual(['spec.ports.1: has targetport, which the API does not know']);
  });

  it('misspelt fields of the CRDs: KEDA, the Prometheus operator, Istio', () => {
    const so = copyOf('ScaledObject', 'payment');
    so.spec.maxReplicaCounts = so.spec.maxReplicaCount;
    expect(problemsOf(so)).toEqual(['spec: has maxReplicaCounts, which the API does not know']);
    const sm = copyOf('ServiceMonitor', 'airline');
    sm.spec.endpoints[0].honourLabels = true;
    expect(problemsOf(sm)).toEqual(['spec.endpoints.0: has honourLabels, which the API does not know']);
    const dr = copyOf('DestinationRule', 'flight');
    dr.spec.trafficPolicy.outlierDetection.consecutive5xxError = 5;
    expect(problemsOf(dr)).toEqual(['spec.trafficPolicy.outlierDetection: has consecutive5xxError, which the API does not know']);
  });

  it('a kind or an apiVersion that does not exist', () => {
    const d = copyOf('PodDisruptionBudget', 'flight');
    d.apiVersion = 'policy/v1beta2';
    expect(problemsOf(d)).toEqual([': no schema for PodDisruptionBudget of policy/v1beta2: not a kind the API (or a known CRD) has']);
    const h = copyOf('HorizontalPodAutoscaler', 'gateway');
    h.kind = 'HorizontalPodAutoScaler';
    expect(problemsOf(h)[0]).toMatch(/no schema for HorizontalPodAutoScaler of autoscaling\/v2/);
  });
});
