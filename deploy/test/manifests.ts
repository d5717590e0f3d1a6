// What the deployment files say and what the source says, side by side, and the checks that compare
// them. Each check is a pure function returning the problems it found (empty: none), so the spec can
// show both that the shipped files pass and that each check catches the defect it is there for.
// Nothing here talks to Docker or a cluster: CI has neither (docs/deploy.md).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parseDocument } from 'yaml';
import { eventRoutes } from '@airline/contracts';
import { durableName } from '@airline/messaging';
import { clusterServices, databaseName } from '../../runtime/cluster.js';

export const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/* ----------------------------------------------------------------------------------------------------
 * The deployment files
 * -------------------------------------------------------------------------------------------------- */

// Parsed YAML is untyped by nature; the checks read it defensively.
export type Yaml = any;

export interface K8sObject {
  file: string;
  object: Yaml;
}

export interface DeploymentFiles {
  k8s: K8sObject[];
  kustomization: Yaml;
  /** Every file in deploy/k8s except kustomization.yaml. */
  k8sFiles: string[];
  compose: Yaml;
  dockerfile: string;
  dockerignore: string;
}

function parseYaml(path: string): Yaml[] {
  // merge keys (<<: *anchor) as Compose reads them
  const docs = parseAllDocuments(read(path), { merge: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const out: Yaml[] = [];
  for (const doc of list) {
    if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS();
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

export function loadDeploymentFiles(): DeploymentFiles {
  const k8sFiles = readdirSync(join(root, 'deploy/k8s'))
    .filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml')
    .sort();
  const k8s = k8sFiles.flatMap((file) => parseYaml(`deploy/k8s/${file}`).map((object) => ({ file, object })));
  const compose = parseDocument(read('deploy/compose.yaml'), { merge: true });
  if (compose.errors.length > 0) throw new Error(`deploy/compose.yaml: ${compose.errors.map((e) => e.message).join('; ')}`);
  return {
    k8s,
    kustomization: parseYaml('deploy/k8s/kustomization.yaml')[0],
    k8sFiles,
    compose: compose.toJS(),
    dockerfile: read('deploy/Dockerfile'),
    dockerignore: read('deploy/Dockerfile.dockerignore'),
  };
}

/* ----------------------------------------------------------------------------------------------------
 * The source: which processes there are, where they listen, what they read from the environment
 * -------------------------------------------------------------------------------------------------- */

export interface ServiceSource {
  name: string;
  /** Entry point, from the repository root. */
  main: string;
  mainExists: boolean;
  /** The port main.ts listens on without PORT (its seed port). */
  mainPort?: number;
  /** The seed port runtime/cluster.ts gives it (when it has a row there). */
  clusterPort?: number;
  /** The seed port of the embedded runtime (runtime/system.ts SEED_PORTS). */
  embeddedPort?: number;
  /** At most this many replicas (runtime/cluster.ts). */
  maxReplicas?: number;
  /** Every environment variable the process reads: main.ts, the service's own files, the helpers it calls. */
  reads: Set<string>;
  /** `process.env[expr]` reads this spec does not know how to name. */
  unknownComputedReads: string[];
  /** Database connections of one replica when fixed in main.ts (`max: N`); else PG_POOL_MAX. */
  fixedPoolMax?: number;
}

export interface Source {
  services: ServiceSource[];
  /** The services the gateway routes to (its routes table), each read as `<NAME>_URL`. */
  gatewayUpstreams: string[];
  /** PG_POOL_MAX's default in packages/service/src/process.ts. */
  defaultPoolMax: number;
}

const ENV_NAME = '[A-Z][A-Z0-9_]*';
const envNameOf = (service: string) => `${service.toUpperCase().replace(/-/g, '_')}_URL`;

/** `process.env.X`, `process.env['X']`, and (in helpers that take the environment as `env`) `env.X`, `int(env, 'X')`. */
export function envReads(text: string, { viaParameter = false } = {}): Set<string> {
  const names = new Set<string>();
  const patterns = [new RegExp(`process\\.env\\.(${ENV_NAME})`, 'g'), new RegExp(`process\\.env\\[['"](${ENV_NAME})['"]\\]`, 'g')];
  if (viaParameter) patterns.push(new RegExp(`\\benv\\.(${ENV_NAME})`, 'g'), new RegExp(`\\benv\\[['"](${ENV_NAME})['"]\\]`, 'g'), new RegExp(`\\(env, ['"](${ENV_NAME})['"]`, 'g'));
  for (const p of patterns) for (const m of text.matchAll(p)) names.add(m[1]!);
  return names;
}

/** `process.env[expr]` where expr is not a string literal. */
const computedReads = (text: string) => [...text.matchAll(/process\.env\[(?!['"])([^\]]+)\]/g)].map((m) => m[1]!.trim());

/** Top-level functions of a module (`function f`, `const f = (`), each with its text up to the next one. */
function topLevelFunctions(text: string): Map<string, string> {
  const starts = [...text.matchAll(/^(?:export )?(?:async )?(?:function\*? (\w+)|const (\w+) = (?:async )?(?:\(|<|function))/gm)];
  const out = new Map<string, string>();
  starts.forEach((m, i) => out.set((m[1] ?? m[2])!, text.slice(m.index, starts[i + 1]?.index ?? text.length)));
  return out;
}

/** The environment reads of `entry` in `text` and of every top-level function of the same module it calls. */
export function envReadsOfFunction(text: string, entry: string): Set<string> {
  const functions = topLevelFunctions(text);
  if (!functions.has(entry)) throw new Error(`function ${entry} not found`);
  const seen = new Set<string>();
  const todo = [entry];
  const names = new Set<string>();
  while (todo.length > 0) {
    const name = todo.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const body = functions.get(name)!;
    for (const n of envReads(body, { viaParameter: true })) names.add(n);
    for (const other of functions.keys()) if (!seen.has(other) && new RegExp(`\\b${other}\\(`).test(body)) todo.push(other);
  }
  return names;
}

const sourceFiles = (dir: string): string[] =>
  existsSync(join(root, dir))
    ? readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? sourceFiles(`${dir}/${e.name}`) : /\.(ts|mts|mjs|js)$/.test(e.name) && !/\.spec\.ts$/.test(e.name) ? [`${dir}/${e.name}`] : [],
      )
    : [];

/** The gateway's routes table (services/gateway/src/index.ts), read as text: importing the gateway is slow. */
export function gatewayRouteServices(indexText: string): string[] {
  const table = /export const routes[^=]*=\s*\[([\s\S]*?)\n\];/.exec(indexText);
  if (!table) throw new Error('services/gateway/src/index.ts: the routes table (export const routes = [ … ];) was not found');
  return [...new Set([...table[1]!.matchAll(/service:\s*'([\w-]+)'/g)].map((m) => m[1]!))];
}

function embeddedSeedPorts(systemText: string): Record<string, number> {
  const block = /SEED_PORTS\s*=\s*\{([^}]*)\}/.exec(systemText);
  if (!block) throw new Error('runtime/system.ts: SEED_PORTS not found');
  const ports: Record<string, number> = {};
  // the embedded runtime calls the sandbox `processor`; its process is `payment-processor`
  for (const m of block[1]!.matchAll(/([\w-]+):\s*(\d+)/g)) ports[m[1] === 'processor' ? 'payment-processor' : m[1]!] = Number(m[2]);
  return ports;
}

export function loadSource(): Source {
  const processTs = read('packages/service/src/process.ts');
  const gatewayUpstreams = gatewayRouteServices(read('services/gateway/src/index.ts'));
  const seedPorts = embeddedSeedPorts(read('runtime/system.ts'));
  // what shared packages read straight from process.env applies to every process that loads them
  const packageReads = new Set(
    readdirSync(join(root, 'packages'))
      .filter((p) => p !== 'testing')
      .flatMap((p) => sourceFiles(`packages/${p}/src`))
      .flatMap((f) => [...envReads(read(f))]),
  );
  const withMain = readdirSync(join(root, 'services')).filter((s) => existsSync(join(root, 'services', s, 'src/main.ts')));
  const names = [...new Set([...clusterServices.map((s) => s.name), ...withMain, ...gatewayUpstreams])];

  const services = names.map((name): ServiceSource => {
    const row = clusterServices.find((s) => s.name === name);
    const main = row?.main ?? `services/${name}/src/main.ts`;
    const mainExists = existsSync(join(root, main));
    const service: ServiceSource = {
      name,
      main,
      mainExists,
      clusterPort: row?.port,
      embeddedPort: seedPorts[name],
      maxReplicas: row?.maxReplicas,
      reads: new Set(packageReads),
      unknownComputedReads: [],
    };
    if (!mainExists) return service;
    const mainText = read(main);
    const port = /\{\s*port:\s*(\d+)\s*\}/.exec(mainText);
    if (port) service.mainPort = Number(port[1]);
    const pool = /createPgDatabase\([^)]*\{[^}]*\bmax:\s*(\d+)/.exec(mainText);
    if (pool) service.fixedPoolMax = Number(pool[1]);

    // every file of the service itself; in main.ts also `env.X` (a config factory given the environment)
    const own = sourceFiles(`services/${name}/src`);
    for (const f of own) for (const n of envReads(read(f), { viaParameter: f === main })) service.reads.add(n);
    for (const f of own) {
      for (const expr of computedReads(read(f))) {
        // the gateway's upstreams: process.env[envName(service)] over its routes table
        if (name === 'gateway' && /^envName\(\w+\)$/.test(expr)) gatewayUpstreams.forEach((s) => service.reads.add(envNameOf(s)));
        else service.unknownComputedReads.push(`${f}: process.env[${expr}]`);
      }
    }
    // the process helpers of packages/service it runs under
    for (const helper of ['runServiceProcess', 'runHttpProcess']) {
      if (new RegExp(`\\b${helper}\\(`).test(mainText)) for (const n of envReadsOfFunction(processTs, helper)) service.reads.add(n);
    }
    // functions main.ts hands the whole environment to (gatewaySettingsFromEnv(process.env))
    for (const m of mainText.matchAll(/(\w+)\(process\.env\)/g)) {
      const fn = m[1]!;
      const file = own.find((f) => new RegExp(`function ${fn}\\(`).test(read(f)));
      if (!file) service.unknownComputedReads.push(`${main}: ${fn}(process.env), whose definition is not in services/${name}/src`);
      else for (const n of envReadsOfFunction(read(file), fn)) service.reads.add(n);
    }
    return service;
  });

  const poolDefault = /int\(env, 'PG_POOL_MAX', ([\d_]+)\)/.exec(processTs);
  if (!poolDefault) throw new Error("packages/service/src/process.ts: PG_POOL_MAX's default not found");
  return { services, gatewayUpstreams, defaultPoolMax: Number(poolDefault[1]!.replace(/_/g, '')) };
}

/* ----------------------------------------------------------------------------------------------------
 * Reading the manifests
 * -------------------------------------------------------------------------------------------------- */

export const NAMESPACE = 'airline';
export const IMAGE = 'airline';
export const READY_PATH = '/health/ready';
export const LIVE_PATH = '/health/live';

/**
 * Read by the code but on purpose not set by the manifests, because the code's default is what a
 * deployment wants. Anything else the code reads must be set.
 */
/** Secrets the manifests refer to and do not ship, on purpose: each is made once per install. */
export const perInstallSecrets: Record<string, { key: string; why: string }> = {
  'airline-gateway-signing-key': { key: 'signing-key.pem', why: 'the token signing key: one in git would let anyone sign admin tokens (secret.yaml says how to make it)' },
};

export const leftToTheCode: Record<string, string> = {
  REPLICA_INDEX: 'set by runtime/replicas.ts for node:cluster workers only; a pod or container is one replica',
  DATA_DIR: 'the gateway uses it only without DATABASE_URL (embedded PGlite), and DATABASE_URL is set',
  PROCESSOR_URL: 'an older name of PAYMENT_PROCESSOR_URL, which is set',
  UI_DIR: 'the web UI built into the image (ui/dist) is the default',
  GATEWAY_SIGNING_KEY_FILE: 'the key comes as GATEWAY_SIGNING_KEY (from its Secret); the file is the other way to give it',
  OIDC_ISSUER: 'an external OIDC issuer is opt-in (docs/deploy.md)',
  OIDC_JWKS_URL: 'an external OIDC issuer is opt-in',
  OIDC_AUDIENCE: 'an external OIDC issuer is opt-in',
  OIDC_ROLE_CLAIM: 'an external OIDC issuer is opt-in',
  OIDC_ADMIN_ROLES: 'an external OIDC issuer is opt-in',
  OIDC_CUSTOMER_ID_CLAIM: 'an external OIDC issuer is opt-in',
  OIDC_USERNAME_CLAIM: 'an external OIDC issuer is opt-in',
  RATE_LIMIT: 'the off switch for benchmarks; rate limits stay on',
  CORS_ORIGINS: 'unset: same origin only, the gateway serves the web UI itself',
  NOTIFICATION_WEBHOOK_URL: 'the webhook is optional; unset, notifications are stored and streamed only',
  PGLITE_STATS: 'a diagnostic of the embedded PGlite databases (benchmarks); a deployment uses PostgreSQL',
  PGLITE_TEMPLATE_DIR: 'where the embedded PGlite databases are copied from; a deployment uses PostgreSQL',
};

export const byKind = (files: DeploymentFiles, kind: string): Yaml[] => files.k8s.filter((o) => o.object?.kind === kind).map((o) => o.object);
export const named = (files: DeploymentFiles, kind: string, name: string): Yaml | undefined => byKind(files, kind).find((o) => o.metadata?.name === name);

export const workloads = (files: DeploymentFiles): Yaml[] => [...byKind(files, 'Deployment'), ...byKind(files, 'StatefulSet')];
const containersOf = (workload: Yaml): Yaml[] => workload?.spec?.template?.spec?.containers ?? [];
export const appContainer = (files: DeploymentFiles, service: string): Yaml | undefined => containersOf(named(files, 'Deployment', service))[0];

function secretData(secret: Yaml): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(secret?.data ?? {})) out[k] = Buffer.from(String(v), 'base64').toString('utf8');
  for (const [k, v] of Object.entries(secret?.stringData ?? {})) out[k] = String(v);
  return out;
}
const configMapData = (cm: Yaml): Record<string, string> => Object.fromEntries(Object.entries(cm?.data ?? {}).map(([k, v]) => [k, String(v)]));

export interface ResolvedEnv {
  values: Map<string, string>;
  problems: string[];
}

/** A container's environment as the kubelet builds it: envFrom first, then env in order, `$(VAR)` expanded. */
export function containerEnv(files: DeploymentFiles, container: Yaml, where: string): ResolvedEnv {
  const values = new Map<string, string>();
  const problems: string[] = [];
  for (const from of container?.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const cm = named(files, 'ConfigMap', from.configMapRef.name);
      if (!cm) problems.push(`${where}: envFrom ConfigMap ${from.configMapRef.name} does not exist`);
      for (const [k, v] of Object.entries(configMapData(cm))) values.set(prefix + k, v);
    } else if (from.secretRef) {
      const secret = named(files, 'Secret', from.secretRef.name);
      if (!secret) problems.push(`${where}: envFrom Secret ${from.secretRef.name} does not exist`);
      for (const [k, v] of Object.entries(secretData(secret))) values.set(prefix + k, v);
    }
  }
  for (const e of container?.env ?? []) {
    if (e.valueFrom?.configMapKeyRef) {
      const { name, key } = e.valueFrom.configMapKeyRef;
      const value = configMapData(named(files, 'ConfigMap', name))[key];
      if (value === undefined) problems.push(`${where}: ${e.name} refers to ConfigMap ${name} key ${key}, which does not exist`);
      else values.set(e.name, value);
    } else if (e.valueFrom?.secretKeyRef) {
      const { name, key } = e.valueFrom.secretKeyRef;
      const value = secretData(named(files, 'Secret', name))[key];
      if (value !== undefined) values.set(e.name, value);
      else if (perInstallSecrets[name]?.key === key) values.set(e.name, `<made per install: ${name}>`);
      else problems.push(`${where}: ${e.name} refers to Secret ${name} key ${key}, which does not exist`);
    } else if (e.valueFrom) {
      values.set(e.name, `<${Object.keys(e.valueFrom)[0]}>`);
    } else {
      const raw = String(e.value ?? '');
      const expanded = raw.replace(/\$\((\w+)\)/g, (whole, ref: string) => {
        const v = values.get(ref);
        if (v === undefined) problems.push(`${where}: ${e.name} uses $(${ref}), which is not defined before it (the kubelet would leave it as is)`);
        return v ?? whole;
      });
      values.set(e.name, expanded);
    }
  }
  return { values, problems };
}

/** A Compose value as Compose interpolates it with nothing set in the shell: `${X:-d}` → d, `$$` → `$`. */
export function composeInterpolate(value: string): string {
  return value.replace(/\$\$|\$\{(\w+)(?::?[-?]([^}]*))?\}|\$(\w+)/g, (whole, braced?: string, fallback?: string) => (whole === '$$' ? '$' : braced ? (fallback ?? '') : ''));
}

export function composeEnv(service: Yaml): Map<string, string> {
  const env = service?.environment ?? {};
  const entries: [string, string][] = Array.isArray(env)
    ? env.map((line: string) => {
        const i = String(line).indexOf('=');
        return i < 0 ? [String(line), ''] : [String(line).slice(0, i), String(line).slice(i + 1)];
      })
    : Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]);
  return new Map(entries.map(([k, v]) => [k, composeInterpolate(v)]));
}

/** Resolves a named or numbered container port. */
export function containerPort(container: Yaml, port: unknown): number | undefined {
  if (typeof port === 'number') return port;
  return (container?.ports ?? []).find((p: Yaml) => p.name === port)?.containerPort;
}

const labelsMatch = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

/** Kubernetes durations in seconds from SHUTDOWN_TIMEOUT_MS-like ms, Compose's `30s` / `1m30s`. */
export function composeDurationSeconds(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(String(value));
  if (!m || (!m[1] && !m[2])) return undefined;
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0);
}

const preStopSleepSeconds = (container: Yaml): number => {
  const pre = container?.lifecycle?.preStop;
  if (pre?.sleep?.seconds !== undefined) return Number(pre.sleep.seconds);
  const cmd: string[] = pre?.exec?.command ?? [];
  return cmd[0] === 'sleep' ? Number(cmd[1]) : 0;
};

/* ----------------------------------------------------------------------------------------------------
 * The checks
 * -------------------------------------------------------------------------------------------------- */

type Check = (files: DeploymentFiles, source: Source) => string[];

/**
 * Every k8s object has a name, once, and lives in the namespace of the kustomization. (Its kind and
 * every field are checked against the API's schema by k8s-schema.unit.spec.ts.)
 */
export const objectsAreWellFormed: Check = (files) => {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const { file, object } of files.k8s) {
    const where = `${file}: ${object?.kind ?? '?'}/${object?.metadata?.name ?? '?'}`;
    if (typeof object?.metadata?.name !== 'string' || !object.metadata.name) problems.push(`${where} has no metadata.name`);
    const ns = object?.metadata?.namespace;
    if (ns !== undefined && ns !== NAMESPACE) problems.push(`${where} is in namespace ${ns}, not ${NAMESPACE}`);
    const key = `${object?.kind}/${object?.metadata?.name}`;
    if (seen.has(key)) problems.push(`${where} is defined twice`);
    seen.add(key);
  }
  if (!named(files, 'Namespace', NAMESPACE)) problems.push(`no Namespace ${NAMESPACE}`);
  if (files.kustomization?.namespace !== NAMESPACE) problems.push(`kustomization.yaml sets namespace ${files.kustomization?.namespace}, not ${NAMESPACE}`);
  return problems;
};

/** kustomization.yaml lists exactly the files of deploy/k8s. */
export const kustomizationListsEveryFile: Check = (files) => {
  const listed: string[] = files.kustomization?.resources ?? [];
  return [
    ...files.k8sFiles.filter((f) => !listed.includes(f)).map((f) => `deploy/k8s/${f} is not listed in kustomization.yaml resources`),
    ...listed.filter((f) => !files.k8sFiles.includes(f)).map((f) => `kustomization.yaml lists ${f}, which is not a file of deploy/k8s`),
    ...(files.kustomization?.images ?? []).some((i: Yaml) => i.name === IMAGE) ? [] : [`kustomization.yaml images does not name the image ${IMAGE}`],
  ];
};

/** Each process of the source has a Deployment, a Service and a Compose service, running its own main.ts from the one image. */
export const everyServiceIsDeployed: Check = (files, source) => {
  const problems: string[] = [];
  for (const s of source.services) {
    if (!s.mainExists) problems.push(`${s.name}: its entry point ${s.main} does not exist (the manifests run it)`);
    const deployment = named(files, 'Deployment', s.name);
    const service = named(files, 'Service', s.name);
    const compose = files.compose?.services?.[s.name];
    if (!deployment) problems.push(`${s.name}: no Deployment`);
    if (!service) problems.push(`${s.name}: no Service`);
    if (!compose) problems.push(`${s.name}: no Compose service`);
    const container = appContainer(files, s.name);
    if (deployment && !container) problems.push(`${s.name}: its Deployment has no container`);
    const entry = [s.main];
    if (container) {
      if (String(container.image).split(':')[0] !== IMAGE) problems.push(`${s.name}: the Deployment runs image ${container.image}, not ${IMAGE}`);
      const run = [...(container.command ?? []), ...(container.args ?? [])];
      if (JSON.stringify(run) !== JSON.stringify(entry)) problems.push(`${s.name}: the Deployment runs ${JSON.stringify(run)}, not ${JSON.stringify(entry)}`);
    }
    if (compose) {
      const command = typeof compose.command === 'string' ? compose.command.split(/\s+/) : compose.command;
      if (JSON.stringify(command) !== JSON.stringify(entry)) problems.push(`${s.name}: the Compose service runs ${JSON.stringify(command)}, not ${JSON.stringify(entry)}`);
      if (!String(compose.image ?? '').startsWith(IMAGE) && !compose.build) problems.push(`${s.name}: the Compose service neither builds nor names the image`);
      if (compose.build) {
        const context = posix.normalize(posix.join('deploy', compose.build.context ?? '.'));
        const dockerfile = posix.normalize(posix.join(context, compose.build.dockerfile ?? 'Dockerfile'));
        if (context !== '.' || dockerfile !== 'deploy/Dockerfile') problems.push(`${s.name}: Compose builds ${dockerfile} in context ${context}, not deploy/Dockerfile in the repository root`);
      }
    }
  }
  const known = new Set(source.services.map((s) => s.name));
  for (const d of byKind(files, 'Deployment')) if (!known.has(d.metadata?.name)) problems.push(`Deployment ${d.metadata?.name} is no process of the source`);
  return problems;
};

/** main.ts's default port, runtime/cluster.ts, runtime/system.ts, the containerPort, PORT, the Service and Compose agree. */
export const portsAgreeWithTheSeedPorts: Check = (files, source) => {
  const problems: string[] = [];
  for (const s of source.services) {
    const seed = s.mainPort ?? s.clusterPort ?? s.embeddedPort;
    if (seed === undefined) {
      problems.push(`${s.name}: no seed port in main.ts, runtime/cluster.ts or runtime/system.ts`);
      continue;
    }
    for (const [what, port] of [['main.ts', s.mainPort], ['runtime/cluster.ts', s.clusterPort], ['runtime/system.ts SEED_PORTS', s.embeddedPort]] as const) {
      if (port !== undefined && port !== seed) problems.push(`${s.name}: ${what} says ${port}, the seed port is ${seed}`);
    }
    const container = appContainer(files, s.name);
    if (container) {
      // besides the seed port, a management port (the gateway's health and metrics) where MANAGEMENT_PORT says
      const ports: number[] = (container.ports ?? []).filter((p: Yaml) => p.name !== 'management').map((p: Yaml) => p.containerPort);
      if (JSON.stringify(ports) !== JSON.stringify([seed])) problems.push(`${s.name}: containerPort ${ports.join(', ')}, not ${seed}`);
      const env = containerEnv(files, container, s.name).values;
      if (env.get('PORT') !== String(seed)) problems.push(`${s.name}: the Deployment sets PORT=${env.get('PORT')}, not ${seed}`);
      const management = containerPort(container, 'management');
      if (management !== undefined && env.get('MANAGEMENT_PORT') !== String(management)) problems.push(`${s.name}: the management containerPort is ${management}, MANAGEMENT_PORT ${env.get('MANAGEMENT_PORT')}`);
      const service = named(files, 'Service', s.name);
      for (const p of service?.spec?.ports ?? []) {
        const target = containerPort(container, p.targetPort ?? p.port);
        if (p.name === 'metrics') {
          // what the ServiceMonitor scrapes: a container port that serves /metrics (today the http port)
          if (target === undefined) problems.push(`${s.name}: the Service's metrics port targets ${String(p.targetPort)}, which the container does not have`);
          continue;
        }
        if (p.port !== seed) problems.push(`${s.name}: the Service listens on ${p.port}, not the seed port ${seed}`);
        if (target !== seed) problems.push(`${s.name}: the Service targets ${String(p.targetPort)} (${target}), not the container's ${seed}`);
      }
      if (service && !(service.spec?.ports ?? []).some((p: Yaml) => p.name === 'metrics')) problems.push(`${s.name}: the Service has no port named metrics (the ServiceMonitor scrapes it)`);
      if (service && !labelsMatch(service.spec?.selector, named(files, 'Deployment', s.name)?.spec?.template?.metadata?.labels)) problems.push(`${s.name}: the Service selector does not select the Deployment's pods`);
    }
    const compose = files.compose?.services?.[s.name];
    if (compose && composeEnv(compose).get('PORT') !== String(seed)) problems.push(`${s.name}: Compose sets PORT=${composeEnv(compose).get('PORT')}, not ${seed}`);
  }
  for (const d of workloads(files)) {
    if (!labelsMatch(d.spec?.selector?.matchLabels, d.spec?.template?.metadata?.labels)) problems.push(`${d.kind} ${d.metadata?.name}: its selector does not match its pod labels`);
  }
  return problems;
};

/** Both probes on every Deployment, at the health paths, on the port its Service targets. */
export const probesPointAtTheHealthEndpoints: Check = (files, source) => {
  const problems: string[] = [];
  for (const s of source.services) {
    const container = appContainer(files, s.name);
    if (!container) continue;
    const service = named(files, 'Service', s.name);
    const targeted = new Set((service?.spec?.ports ?? []).map((p: Yaml) => containerPort(container, p.targetPort ?? p.port)));
    const expect = [
      ['livenessProbe', LIVE_PATH],
      ['readinessProbe', READY_PATH],
      ['startupProbe', LIVE_PATH],
    ] as const;
    for (const [probe, path] of expect) {
      const p = container[probe];
      if (!p) {
        if (probe !== 'startupProbe') problems.push(`${s.name}: no ${probe}`);
        continue;
      }
      if (p.httpGet?.path !== path) problems.push(`${s.name}: ${probe} asks ${p.httpGet?.path ?? JSON.stringify(p)}, not ${path}`);
      const port = containerPort(container, p.httpGet?.port);
      if (port === undefined || !targeted.has(port)) problems.push(`${s.name}: ${probe} probes port ${String(p.httpGet?.port)}, which the Service does not target`);
    }
  }
  // exec probes are run as written: $(VAR) is expanded in command/args only
  for (const w of workloads(files)) {
    for (const c of containersOf(w)) {
      for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (JSON.stringify(c[probe]?.exec?.command ?? []).includes('$(')) problems.push(`${w.metadata?.name}: ${probe} uses $(VAR), which Kubernetes does not expand in probes`);
      }
    }
  }
  return problems;
};

/** Every variable a process reads is set by its Deployment and its Compose service, or left to the code on purpose. */
export const everyVariableTheCodeReadsIsSet: Check = (files, source) => {
  const problems: string[] = [];
  for (const s of source.services) {
    for (const read of s.unknownComputedReads) problems.push(`${s.name}: ${read} reads a variable this spec cannot name; teach deploy/test/manifests.ts how`);
    const container = appContainer(files, s.name);
    const k8s = container ? containerEnv(files, container, s.name) : undefined;
    problems.push(...(k8s?.problems ?? []));
    const compose = files.compose?.services?.[s.name] ? composeEnv(files.compose.services[s.name]) : undefined;
    for (const name of [...s.reads].sort()) {
      if (name in leftToTheCode) continue;
      if (k8s && !k8s.values.has(name)) problems.push(`${s.name} reads ${name}; its Deployment does not set it`);
      if (compose && !compose.has(name)) problems.push(`${s.name} reads ${name}; its Compose service does not set it`);
    }
    // in Compose each service's environment is its own: nothing there that the process does not read
    for (const name of compose?.keys() ?? []) if (!s.reads.has(name)) problems.push(`Compose sets ${name} for ${s.name}, which does not read it`);
    // explicit env of a Deployment: read by the process, or used by a later $(VAR)
    const explicit: Yaml[] = container?.env ?? [];
    for (const e of explicit) {
      const used = s.reads.has(e.name) || explicit.some((o) => String(o.value ?? '').includes(`$(${e.name})`));
      if (!used) problems.push(`the ${s.name} Deployment sets ${e.name}, which it does not read`);
    }
  }
  // the shared ConfigMap: every key read by some process, or used by another manifest
  const allReads = new Set(source.services.flatMap((s) => [...s.reads]));
  const referenced = JSON.stringify(files.k8s.filter((o) => o.object?.kind !== 'ConfigMap').map((o) => o.object));
  for (const cm of byKind(files, 'ConfigMap')) {
    for (const key of Object.keys(cm.data ?? {})) {
      if (!allReads.has(key) && !referenced.includes(`$(${key})`) && !referenced.includes(`"key":"${key}"`)) problems.push(`ConfigMap ${cm.metadata?.name} has ${key}, which nothing reads`);
    }
  }
  for (const name of Object.keys(leftToTheCode)) if (!allReads.has(name)) problems.push(`${name} is left to the code's default, but no process reads it any more: drop it from leftToTheCode`);
  return problems;
};

type EnvView = { where: string; env: Map<string, string>; hostKnown: (host: string, port: number) => string | undefined };

/** The values: listening on every interface, the database of each service its own, URLs naming what exists. */
export const valuesPointAtWhatExists: Check = (files, source) => {
  const problems: string[] = [];
  const seeds = new Map(source.services.map((s) => [s.name, s.mainPort ?? s.clusterPort ?? s.embeddedPort]));
  const k8sHost = (host: string, port: number) => {
    const service = named(files, 'Service', host);
    if (!service) return `no Service ${host}`;
    return (service.spec?.ports ?? []).some((p: Yaml) => p.port === port) ? undefined : `Service ${host} has no port ${port}`;
  };
  const composeHost = (host: string, port: number) => {
    const svc = files.compose?.services?.[host];
    if (!svc) return `no Compose service ${host}`;
    const infraPorts: Record<string, number> = { postgres: 5432, nats: 4222 };
    const listens = host in infraPorts ? infraPorts[host] : Number(composeEnv(svc).get('PORT'));
    return listens === port ? undefined : `Compose service ${host} listens on ${listens}, not ${port}`;
  };
  const databases = { k8s: new Map<string, string>(), compose: new Map<string, string>() };
  for (const s of source.services) {
    const views: (EnvView & { kind: 'k8s' | 'compose' })[] = [];
    const container = appContainer(files, s.name);
    if (container) views.push({ kind: 'k8s', where: `${s.name} (Deployment)`, env: containerEnv(files, container, s.name).values, hostKnown: k8sHost });
    const compose = files.compose?.services?.[s.name];
    if (compose) views.push({ kind: 'compose', where: `${s.name} (Compose)`, env: composeEnv(compose), hostKnown: composeHost });
    for (const { kind, where, env, hostKnown } of views) {
      if (env.has('HOST') && env.get('HOST') !== '0.0.0.0') problems.push(`${where}: HOST=${env.get('HOST')}; in a container it must be 0.0.0.0 (probes and other pods connect from outside)`);
      const url = (name: string) => {
        const raw = env.get(name);
        if (raw === undefined) return undefined;
        try {
          return new URL(raw);
        } catch {
          problems.push(`${where}: ${name}=${raw} is no URL`);
          return undefined;
        }
      };
      const db = url('DATABASE_URL');
      if (db) {
        const name = decodeURIComponent(db.pathname.replace(/^\//, ''));
        if (name !== databaseName('airline', s.name)) problems.push(`${where}: DATABASE_URL names database ${name}, not ${databaseName('airline', s.name)}`);
        const other = databases[kind].get(name);
        if (other) problems.push(`${where}: database ${name} is also ${other}'s (one database per service)`);
        databases[kind].set(name, s.name);
        const missing = hostKnown(db.hostname, Number(db.port || 5432));
        if (missing) problems.push(`${where}: DATABASE_URL points at ${db.host}: ${missing}`);
        if (!db.username || !db.password) problems.push(`${where}: DATABASE_URL carries no user and password`);
      }
      const nats = url('NATS_URL');
      if (nats) {
        const missing = hostKnown(nats.hostname, Number(nats.port || 4222));
        if (missing) problems.push(`${where}: NATS_URL points at ${nats.host}: ${missing}`);
      }
      const upstreams = [...source.gatewayUpstreams.map((u) => [envNameOf(u), u]), ['PAYMENT_PROCESSOR_URL', 'payment-processor']];
      for (const [variable, service] of upstreams) {
        if (!s.reads.has(variable!)) continue;
        const u = url(variable!);
        if (!u) continue;
        if (u.hostname !== service) problems.push(`${where}: ${variable}=${u.href} does not point at ${service}`);
        else if (Number(u.port) !== seeds.get(service!)) problems.push(`${where}: ${variable}=${u.href} is not ${service}'s port ${seeds.get(service!)}`);
        else {
          const missing = hostKnown(u.hostname, Number(u.port));
          if (missing) problems.push(`${where}: ${variable}: ${missing}`);
        }
      }
    }
  }
  // Kubernetes: each service logs in as its own role (its database's name), with the password the
  // migrations Job sets for that role; the Job logs in as the admin the postgres StatefulSet is given
  const pg = named(files, 'StatefulSet', 'postgres');
  const job = named(files, 'Job', 'airline-migrate');
  if (!job) problems.push('no migrations Job airline-migrate');
  if (pg && job) {
    const server = containerEnv(files, containersOf(pg)[0], 'postgres').values;
    const jobEnv = containerEnv(files, containersOf(job)[0], 'airline-migrate').values;
    if (jobEnv.get('PG_USER') !== server.get('POSTGRES_USER') || jobEnv.get('PG_PASSWORD') !== server.get('POSTGRES_PASSWORD')) problems.push(`the migrations Job's PG_USER/PG_PASSWORD are not the admin the postgres StatefulSet is given`);
    for (const s of source.services) {
      const container = appContainer(files, s.name);
      const raw = container ? containerEnv(files, container, s.name).values.get('DATABASE_URL') : undefined;
      if (!raw) continue;
      const u = new URL(raw);
      const role = databaseName('airline', s.name);
      if (u.username !== role) problems.push(`${s.name} (Deployment): DATABASE_URL logs in as ${u.username}, not its own role ${role}`);
      const variable = `PG_PASSWORD_${s.name.toUpperCase().replace(/-/g, '_')}`;
      if (decodeURIComponent(u.password) !== jobEnv.get(variable)) problems.push(`${s.name} (Deployment): DATABASE_URL's password is not the ${variable} the migrations Job gives its role`);
      if (u.username === server.get('POSTGRES_USER')) problems.push(`${s.name} (Deployment): logs in as the admin`);
    }
  }
  const pgCompose = files.compose?.services?.postgres;
  if (pgCompose) {
    const env = composeEnv(pgCompose);
    for (const s of source.services) {
      const raw = files.compose?.services?.[s.name] ? composeEnv(files.compose.services[s.name]).get('DATABASE_URL') : undefined;
      if (!raw) continue;
      const u = new URL(raw);
      if (u.username !== env.get('POSTGRES_USER') || decodeURIComponent(u.password) !== env.get('POSTGRES_PASSWORD')) problems.push(`${s.name} (Compose): DATABASE_URL's user/password are not postgres's POSTGRES_USER/POSTGRES_PASSWORD`);
    }
  }
  return problems;
};

/** SIGKILL never cuts the drain short: grace ≥ preStop + SHUTDOWN_TIMEOUT_MS, in Kubernetes and in Compose. */
export const gracePeriodCoversTheDrain: Check = (files, source) => {
  const problems: string[] = [];
  for (const s of source.services) {
    const deployment = named(files, 'Deployment', s.name);
    const container = appContainer(files, s.name);
    if (container) {
      const env = containerEnv(files, container, s.name).values;
      const drain = Number(env.get('SHUTDOWN_TIMEOUT_MS') ?? 25_000) / 1000;
      const grace = Number(deployment.spec?.template?.spec?.terminationGracePeriodSeconds ?? 30);
      const pre = preStopSleepSeconds(container);
      if (!(grace > pre + drain)) problems.push(`${s.name}: terminationGracePeriodSeconds ${grace} ≤ preStop ${pre} s + SHUTDOWN_TIMEOUT_MS ${drain} s`);
    }
    const compose = files.compose?.services?.[s.name];
    if (compose) {
      const drain = Number(composeEnv(compose).get('SHUTDOWN_TIMEOUT_MS') ?? 25_000) / 1000;
      const grace = composeDurationSeconds(compose.stop_grace_period) ?? 10;
      if (!(grace > drain)) problems.push(`${s.name}: Compose stop_grace_period ${grace} s ≤ SHUTDOWN_TIMEOUT_MS ${drain} s`);
    }
  }
  return problems;
};

/** Non-root, no escalation, no capabilities, read-only root (a writable /tmp for tsx), resources: every pod. */
export const podsAreLockedDown: Check = (files, source) => {
  const problems: string[] = [];
  const apps = new Set(source.services.map((s) => s.name));
  for (const w of [...workloads(files), ...byKind(files, 'Job')]) {
    const name = `${w.kind} ${w.metadata?.name}`;
    const pod = w.spec?.template?.spec ?? {};
    if (pod.securityContext?.runAsNonRoot !== true) problems.push(`${name}: runAsNonRoot is not true`);
    if (pod.automountServiceAccountToken !== false) problems.push(`${name}: mounts a service account token it does not use`);
    for (const c of containersOf(w)) {
      const sc = c.securityContext ?? {};
      if (sc.allowPrivilegeEscalation !== false) problems.push(`${name}: allowPrivilegeEscalation is not false`);
      if (sc.readOnlyRootFilesystem !== true) problems.push(`${name}: the root filesystem is writable`);
      if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push(`${name}: capabilities are not dropped`);
      if ((sc.seccompProfile ?? pod.securityContext?.seccompProfile)?.type !== 'RuntimeDefault') problems.push(`${name}: no RuntimeDefault seccomp profile`);
      if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory || !c.resources?.limits?.memory) problems.push(`${name}: cpu and memory requests and a memory limit are not all set`);
      if (apps.has(w.metadata?.name) || w.kind === 'Job') {
        const tmp = (c.volumeMounts ?? []).find((m: Yaml) => m.mountPath === '/tmp');
        if (!tmp || !(pod.volumes ?? []).some((v: Yaml) => v.name === tmp.name && v.emptyDir)) problems.push(`${name}: no writable /tmp (tsx compiles into it)`);
      }
    }
  }
  for (const s of source.services) {
    const c = files.compose?.services?.[s.name];
    if (!c) continue;
    if (c.read_only !== true) problems.push(`${s.name} (Compose): the root filesystem is writable`);
    if (!(c.tmpfs ?? []).includes('/tmp')) problems.push(`${s.name} (Compose): no writable /tmp`);
  }
  const user = [...files.dockerfile.matchAll(/^USER\s+(\S+)/gm)].at(-1)?.[1];
  if (!user || user === 'root' || user === '0') problems.push(`deploy/Dockerfile runs as ${user ?? 'root (no USER)'}`);
  return problems;
};

/**
 * reservation, flight and payment scale on their pending events (KEDA ScaledObject with one nats-jetstream
 * trigger per durable consumer the service has, and CPU); the gateway on CPU (HPA); the sandbox never.
 */
export const autoscalingIsConsistent: Check = (files, source) => {
  const problems: string[] = [];
  const hpas = byKind(files, 'HorizontalPodAutoscaler');
  const scaled = byKind(files, 'ScaledObject');
  const prefix = named(files, 'ConfigMap', 'airline-config')?.data?.EVENTS_PREFIX ?? 'airline';
  for (const required of ['reservation', 'flight', 'payment']) {
    const so = scaled.find((x) => x.spec?.scaleTargetRef?.name === required);
    if (!so) {
      problems.push(`${required}: no ScaledObject`);
      continue;
    }
    // one trigger per durable consumer: <prefix>-<service>-<type> for each type the service takes
    const expected = Object.entries(eventRoutes)
      .filter(([, r]) => r.consumers.includes(required))
      .map(([type]) => durableName(prefix, required, type as keyof typeof eventRoutes))
      .sort();
    const jetstream: Yaml[] = (so.spec?.triggers ?? []).filter((t: Yaml) => t.type === 'nats-jetstream');
    const named_ = jetstream.map((t) => t.metadata?.consumer).sort();
    if (JSON.stringify(named_) !== JSON.stringify(expected)) problems.push(`ScaledObject ${required}: triggers on consumers ${named_.join(', ')}, not the service's ${expected.join(', ')}`);
    for (const t of jetstream) {
      if (t.metadata?.stream !== `${prefix}-events`) problems.push(`ScaledObject ${required}: trigger on stream ${t.metadata?.stream}, not ${prefix}-events`);
      const endpoint = /^([^.:]+)[^:]*:(\d+)$/.exec(String(t.metadata?.natsServerMonitoringEndpoint ?? ''));
      const nats = named(files, 'Service', endpoint?.[1] ?? '');
      if (!endpoint || !(nats?.spec?.ports ?? []).some((p: Yaml) => p.port === Number(endpoint[2]))) problems.push(`ScaledObject ${required}: natsServerMonitoringEndpoint ${t.metadata?.natsServerMonitoringEndpoint} is no NATS monitoring port here`);
    }
    if (!(so.spec?.triggers ?? []).some((t: Yaml) => t.type === 'cpu')) problems.push(`ScaledObject ${required}: does not scale on CPU too`);
    if (hpas.some((h) => h.spec?.scaleTargetRef?.name === required)) problems.push(`${required}: both a ScaledObject and an HPA (KEDA makes its own HPA; two fight)`);
  }
  if (!hpas.some((h) => h.spec?.scaleTargetRef?.name === 'gateway')) problems.push('gateway: no HorizontalPodAutoscaler');
  const scalers = [
    ...hpas.map((h) => ({ what: `HPA ${h.metadata?.name}`, ref: h.spec?.scaleTargetRef ?? {}, min: h.spec?.minReplicas, max: h.spec?.maxReplicas, cpu: (h.spec?.metrics ?? []).some((m: Yaml) => m.type === 'Resource' && m.resource?.name === 'cpu') })),
    ...scaled.map((o) => ({ what: `ScaledObject ${o.metadata?.name}`, ref: { apiVersion: 'apps/v1', kind: 'Deployment', ...o.spec?.scaleTargetRef }, min: o.spec?.minReplicaCount, max: o.spec?.maxReplicaCount, cpu: (o.spec?.triggers ?? []).some((t: Yaml) => t.type === 'cpu') })),
  ];
  for (const { what, ref, min, max: maxReplicas, cpu } of scalers) {
    const target = ref.kind === 'Deployment' ? named(files, 'Deployment', ref.name) : undefined;
    if (!target) {
      problems.push(`${what}: targets ${ref.kind} ${ref.name}, which is no Deployment here`);
      continue;
    }
    if (ref.apiVersion !== 'apps/v1') problems.push(`${what}: scaleTargetRef apiVersion ${ref.apiVersion}, not apps/v1`);
    if (!(min >= 1 && maxReplicas >= min)) problems.push(`${what}: between ${min} and ${maxReplicas} replicas`);
    if (!cpu) problems.push(`${what}: does not scale on CPU`);
    if (cpu && containersOf(target).some((c) => !c.resources?.requests?.cpu)) problems.push(`${what}: CPU utilisation needs CPU requests on ${ref.name}`);
    if (target.spec?.replicas !== undefined) problems.push(`Deployment ${ref.name}: sets replicas although ${what} owns the count (every apply would reset it)`);
    const max = source.services.find((s) => s.name === ref.name)?.maxReplicas;
    if (max !== undefined && maxReplicas > max) problems.push(`${what}: up to ${maxReplicas} replicas; runtime/cluster.ts allows ${max}`);
  }
  for (const s of source.services.filter((x) => x.maxReplicas !== undefined)) {
    const d = named(files, 'Deployment', s.name);
    if (!d) continue;
    if (!(Number(d.spec?.replicas ?? 1) <= s.maxReplicas!)) problems.push(`${s.name}: ${d.spec?.replicas} replicas; runtime/cluster.ts allows ${s.maxReplicas}`);
    if (s.maxReplicas === 1 && d.spec?.strategy?.type !== 'Recreate') problems.push(`${s.name}: a single-replica service must be replaced (Recreate), never run twice during a rollout`);
  }
  return problems;
};

/** The most pods a Deployment runs: its autoscaler's maximum, or its replicas. */
export function maxPods(files: DeploymentFiles, name: string): number {
  const hpa = byKind(files, 'HorizontalPodAutoscaler').find((h) => h.spec?.scaleTargetRef?.name === name);
  const so = byKind(files, 'ScaledObject').find((o) => o.spec?.scaleTargetRef?.name === name);
  return Number(hpa?.spec?.maxReplicas ?? so?.spec?.maxReplicaCount ?? named(files, 'Deployment', name)?.spec?.replicas ?? 1);
}

/** Σ pods at their maximum × connections per pod stays below PostgreSQL's max_connections. */
export const postgresConnectionBudget: Check = (files, source) => {
  const problems: string[] = [];
  const pg = named(files, 'StatefulSet', 'postgres');
  if (!pg) return ['no postgres StatefulSet (a managed PostgreSQL would need this budget checked by hand)'];
  const args: string[] = containersOf(pg)[0]?.args ?? [];
  const setting = args.map((a) => /^max_connections=(\d+)$/.exec(a)).find(Boolean);
  const maxConnections = setting ? Number(setting[1]) : 100;
  const reserved = 3 + 10; // superuser_reserved_connections, plus room for psql and the database-creating probe
  let total = 0;
  const parts: string[] = [];
  for (const s of source.services) {
    const container = appContainer(files, s.name);
    if (!container) continue;
    const env = containerEnv(files, container, s.name).values;
    if (!env.has('DATABASE_URL')) continue;
    const pods = maxPods(files, s.name);
    const pool = s.fixedPoolMax ?? Number(env.get('PG_POOL_MAX') ?? source.defaultPoolMax);
    total += pods * pool;
    parts.push(`${s.name} ${pods}×${pool}`);
  }
  if (total > maxConnections - reserved) problems.push(`PostgreSQL: ${total} connections at full scale (${parts.join(', ')}) > max_connections ${maxConnections} − ${reserved}`);
  return problems;
};

/** The one way in: the Ingress routes only to the gateway, no Service is exposed, NetworkPolicy admits outsiders only to the gateway. */
export const onlyTheGatewayIsReachable: Check = (files, source) => {
  const problems: string[] = [];
  const gatewayService = named(files, 'Service', 'gateway');
  const gatewayPorts = new Set<unknown>((gatewayService?.spec?.ports ?? []).flatMap((p: Yaml) => [p.port, p.name]));
  const ingresses = byKind(files, 'Ingress');
  if (ingresses.length === 0) problems.push('no Ingress');
  for (const ing of ingresses) {
    const backends: Yaml[] = [];
    if (ing.spec?.defaultBackend) backends.push(ing.spec.defaultBackend);
    for (const rule of ing.spec?.rules ?? []) for (const p of rule.http?.paths ?? []) backends.push(p.backend);
    if (backends.length === 0) problems.push(`Ingress ${ing.metadata?.name} routes nowhere`);
    for (const b of backends) {
      if (b?.service?.name !== 'gateway') problems.push(`Ingress ${ing.metadata?.name} routes to ${b?.service?.name ?? JSON.stringify(b)}, not the gateway`);
      else if (!gatewayPorts.has(b.service.port?.number ?? b.service.port?.name)) problems.push(`Ingress ${ing.metadata?.name} routes to a port the gateway Service does not have`);
    }
  }
  for (const svc of byKind(files, 'Service')) {
    if (svc.spec?.type && svc.spec.type !== 'ClusterIP') problems.push(`Service ${svc.metadata?.name} is ${svc.spec.type}: only the Ingress may expose anything`);
    if (svc.spec?.externalIPs?.length) problems.push(`Service ${svc.metadata?.name} has external IPs`);
  }
  // NetworkPolicy: a default deny, and outsiders admitted to gateway pods only, on the gateway's port
  const policies = byKind(files, 'NetworkPolicy');
  const denyAll = policies.some((p) => Object.keys(p.spec?.podSelector ?? { x: 1 }).length === 0 && (p.spec?.policyTypes ?? []).includes('Ingress') && (p.spec?.ingress ?? []).length === 0);
  if (!denyAll) problems.push('no NetworkPolicy denies ingress to every pod by default');
  // who may come from outside the namespace, to which pods, on which port:
  //   the ingress controller → the gateway, on its port; Prometheus (monitoring) → any process, on the
  //   port its Service's `metrics` port targets; KEDA → NATS, on its monitoring port
  const podLabels = workloads(files).map((w) => ({ name: w.metadata?.name as string, labels: (w.spec?.template?.metadata?.labels ?? {}) as Record<string, string>, workload: w }));
  const selected = (selector: Yaml) =>
    podLabels.filter(({ labels }) => {
      const byLabel = Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
      const byExpression = (selector?.matchExpressions ?? []).every((e: Yaml) =>
        e.operator === 'In' ? (e.values ?? []).includes(labels[e.key]) : e.operator === 'NotIn' ? !(e.values ?? []).includes(labels[e.key]) : e.operator === 'Exists' ? e.key in labels : !(e.key in labels),
      );
      return byLabel && byExpression;
    });
  const metricsPort = (pod: string) => {
    const metrics = (named(files, 'Service', pod)?.spec?.ports ?? []).find((p: Yaml) => p.name === 'metrics');
    return metrics ? containerPort(containersOf(named(files, 'Deployment', pod))[0], metrics.targetPort ?? metrics.port) : undefined;
  };
  const gatewayContainer = appContainer(files, 'gateway');
  const gatewayPort = gatewayContainer?.ports?.[0]?.containerPort;
  const natsMonitor = containersOf(named(files, 'StatefulSet', 'nats'))[0];
  const apps = source.services.map((x) => x.name);
  const allowedFrom: Record<string, { pods: string[]; what: string; port: (pod: string, port: unknown) => boolean }> = {
    'ingress-nginx': { pods: ['gateway'], what: `the gateway's ${gatewayPort}`, port: (_pod, port) => containerPort(gatewayContainer, port) === gatewayPort },
    monitoring: {
      pods: apps,
      what: 'the port its Service names metrics',
      port: (pod, port) => metricsPort(pod) !== undefined && containerPort(containersOf(named(files, 'Deployment', pod))[0], port) === metricsPort(pod),
    },
    keda: { pods: ['nats'], what: "NATS's monitoring port 8222", port: (_pod, port) => containerPort(natsMonitor, port) === 8222 },
  };
  for (const p of policies) {
    for (const rule of p.spec?.ingress ?? []) {
      const peers: Yaml[] = rule.from ?? [];
      const outside = peers.length === 0 || peers.some((peer) => peer.namespaceSelector !== undefined || peer.ipBlock !== undefined);
      if (!outside) continue;
      const namespaces = peers.map((peer) => peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name']);
      const source = namespaces.length === 1 && peers.every((peer) => !peer.ipBlock && !peer.podSelector) ? namespaces[0] : undefined;
      const allowed = source ? allowedFrom[source] : undefined;
      const ports: Yaml[] = rule.ports ?? [];
      const pods = selected(p.spec?.podSelector).map((x) => x.name);
      const strangers = pods.filter((pod) => !allowed || !allowed.pods.includes(pod));
      if (strangers.length > 0) problems.push(`NetworkPolicy ${p.metadata?.name} admits traffic from outside the namespace to ${strangers.join(', ')}`);
      for (const pod of pods.filter((x) => !strangers.includes(x))) {
        const portOk = ports.length > 0 && ports.every((x) => allowed!.port(pod, x.port));
        if (!portOk) problems.push(`NetworkPolicy ${p.metadata?.name} admits outsiders to ${pod} on ${ports.length ? ports.map((x) => x.port).join(', ') : 'every port'}, not only ${allowed!.what}`);
      }
    }
  }
  // Compose: only the gateway publishes a port, the one it listens on
  for (const [name, svc] of Object.entries<Yaml>(files.compose?.services ?? {})) {
    const published: unknown[] = svc.ports ?? [];
    if (name !== 'gateway' && published.length > 0) problems.push(`Compose publishes ports of ${name}`);
    if (name === 'gateway') {
      const port = composeEnv(svc).get('PORT');
      const ok = published.length > 0 && published.every((p) => (typeof p === 'object' ? String((p as Yaml).target) === port : String(p).split(':').at(-1)?.split('/')[0] === port));
      if (!ok) problems.push(`Compose publishes the gateway's ${JSON.stringify(published)}, not its PORT ${port}`);
    }
  }
  if (!source.services.some((s) => s.name === 'gateway')) problems.push('no gateway in the source');
  return problems;
};

/** Compose: readiness healthchecks, start order on healthy dependencies, JetStream and PostgreSQL on volumes. */
export const composeWaitsForHealthyDependencies: Check = (files, source) => {
  const problems: string[] = [];
  const services: Record<string, Yaml> = files.compose?.services ?? {};
  for (const s of source.services) {
    const c = services[s.name];
    if (!c) continue;
    const test = JSON.stringify(c.healthcheck?.test ?? '');
    if (!test.includes(READY_PATH)) problems.push(`${s.name} (Compose): the healthcheck does not ask ${READY_PATH}`);
    const asked = [composeEnv(c).get('PORT'), composeEnv(c).get('MANAGEMENT_PORT')].filter(Boolean);
    if (!test.includes('process.env.PORT') && !asked.some((port) => test.includes(`:${port}/`))) problems.push(`${s.name} (Compose): the healthcheck does not ask the port the service listens on`);
    const deps: Yaml = c.depends_on ?? {};
    if (Array.isArray(deps)) {
      problems.push(`${s.name} (Compose): depends_on without conditions`);
      continue;
    }
    for (const [dep, spec] of Object.entries<Yaml>(deps)) {
      if (!services[dep]) problems.push(`${s.name} (Compose): depends on ${dep}, which is no service`);
      if (!['service_healthy', 'service_started', 'service_completed_successfully'].includes(spec?.condition)) problems.push(`${s.name} (Compose): depends on ${dep} without a condition`);
      if (spec?.condition === 'service_healthy' && !services[dep]?.healthcheck) problems.push(`${s.name} (Compose): waits for ${dep} to be healthy, which has no healthcheck`);
    }
    if (s.reads.has('DATABASE_URL') && deps.postgres?.condition !== 'service_healthy') problems.push(`${s.name} (Compose): reads DATABASE_URL but does not wait for postgres to be healthy`);
    if (s.reads.has('NATS_URL') && deps.nats?.condition !== 'service_healthy') problems.push(`${s.name} (Compose): reads NATS_URL but does not wait for nats to be healthy`);
  }
  const volumes = files.compose?.volumes ?? {};
  const mountedAt = (svc: Yaml, path: string) =>
    (svc?.volumes ?? []).some((v: Yaml) => {
      const [src, target] = typeof v === 'string' ? v.split(':') : [v.source, v.target];
      return target === path && src in volumes;
    });
  const nats = services.nats;
  const natsArgs: string[] = Array.isArray(nats?.command) ? nats.command : String(nats?.command ?? '').split(/\s+/);
  if (!natsArgs.includes('-js') && !natsArgs.includes('--jetstream')) problems.push('nats (Compose): JetStream is not enabled');
  const storeDir = natsArgs[natsArgs.indexOf('-sd') + 1] ?? natsArgs[natsArgs.indexOf('--store_dir') + 1];
  if (!storeDir || !mountedAt(nats, storeDir)) problems.push(`nats (Compose): the JetStream store (${storeDir}) is not on a named volume`);
  if (!mountedAt(services.postgres, '/var/lib/postgresql/data')) problems.push('postgres (Compose): /var/lib/postgresql/data is not on a named volume');
  if (!nats?.healthcheck) problems.push('nats (Compose): no healthcheck');
  if (!services.postgres?.healthcheck) problems.push('postgres (Compose): no healthcheck');
  return problems;
};

/** StatefulSets keep their data on claims: PostgreSQL's PGDATA and NATS's JetStream store. */
export const statefulSetsKeepTheirData: Check = (files) => {
  const problems: string[] = [];
  const expectations: [string, (c: Yaml, env: Map<string, string>) => string | undefined][] = [
    ['postgres', (_c, env) => env.get('PGDATA') ?? '/var/lib/postgresql/data'],
    ['nats', (c) => {
      const args: string[] = c.args ?? [];
      if (!args.includes('-js') && !args.includes('--jetstream')) return undefined;
      const i = args.includes('-sd') ? args.indexOf('-sd') : args.indexOf('--store_dir');
      return i >= 0 ? args[i + 1] : undefined;
    }],
  ];
  for (const [name, dataPath] of expectations) {
    const sts = named(files, 'StatefulSet', name);
    if (!sts) {
      problems.push(`no ${name} StatefulSet`);
      continue;
    }
    if (!named(files, 'Service', sts.spec?.serviceName)) problems.push(`${name}: serviceName ${sts.spec?.serviceName} is no Service`);
    const claims: string[] = (sts.spec?.volumeClaimTemplates ?? []).map((v: Yaml) => v.metadata?.name);
    if (claims.length === 0) problems.push(`${name}: no volumeClaimTemplates`);
    const c = containersOf(sts)[0];
    const path = dataPath(c, containerEnv(files, c, name).values);
    if (!path) {
      problems.push(`${name}: JetStream or its store directory is not configured`);
      continue;
    }
    const onClaim = (c.volumeMounts ?? []).some((m: Yaml) => claims.includes(m.name) && (path === m.mountPath || path.startsWith(`${m.mountPath}/`)));
    if (!onClaim) problems.push(`${name}: ${path} is not on a persistent volume claim`);
  }
  return problems;
};

/** The Secret holds placeholders only, clearly marked: no real secret in the repository. */
export const secretsArePlaceholders: Check = (files) => {
  const problems: string[] = [];
  for (const s of byKind(files, 'Secret')) {
    for (const [k, v] of Object.entries(secretData(s))) if (!v.startsWith('CHANGE-ME')) problems.push(`Secret ${s.metadata?.name} key ${k} is not a CHANGE-ME placeholder`);
  }
  return problems;
};

/** The image: a Node LTS (22 or 24) slim base pinned by digest, npm ci from the lockfile and nothing fetched otherwise, tsx running a main.ts. */
export const imageIsBuiltFromTheLockfile: Check = (files, source) => {
  const problems: string[] = [];
  // instructions only: comments dropped, continued lines joined
  const text = files.dockerfile.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n').replace(/\\\n/g, ' ');
  const from = [...text.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
  // a supported Node LTS line (22 or 24), slim, pinned by digest so that a rebuild gets the same base
  const base = /^node:(\d+)-(?:bookworm-|trixie-)?slim@sha256:[0-9a-f]{64}$/.exec(from.at(-1) ?? '');
  if (!base) problems.push(`deploy/Dockerfile: the image is based on ${from.at(-1)}, not a node:<LTS>-slim image pinned by @sha256 digest`);
  else if (!['22', '24'].includes(base[1]!)) problems.push(`deploy/Dockerfile: Node ${base[1]} is not a supported LTS line (22 or 24)`);
  if (!/\bnpm ci\b/.test(text)) problems.push('deploy/Dockerfile: no npm ci');
  if (/\bnpm (install|i)\b/.test(text)) problems.push('deploy/Dockerfile: npm install instead of npm ci');
  const instructions = text;
  for (const fetcher of [/\bcurl\b/, /\bwget\b/, /\bapt(-get)?\b/, /\bgit clone\b/, /^ADD\s+https?:/m]) {
    if (fetcher.test(instructions)) problems.push(`deploy/Dockerfile fetches something beyond npm (${fetcher.source})`);
  }
  const entrypoint = /^ENTRYPOINT\s+(\[.*\])/m.exec(text)?.[1];
  if (entrypoint !== '["node", "--import", "tsx"]') problems.push(`deploy/Dockerfile: ENTRYPOINT ${entrypoint}, not node --import tsx`);
  const cmd = /^CMD\s+\["([^"]+)"\]/m.exec(text)?.[1];
  if (!cmd || !source.services.some((s) => s.main === cmd)) problems.push(`deploy/Dockerfile: CMD ${cmd} is no service's main.ts`);
  const ignored = files.dockerignore.split('\n').map((l) => l.trim());
  for (const must of ['**/node_modules', 'data']) if (!ignored.includes(must)) problems.push(`deploy/Dockerfile.dockerignore does not keep out ${must}`);
  return problems;
};

/**
 * Every replicated Deployment has a PodDisruptionBudget that lets a drain take one pod at a time (and
 * never blocks it), and spreads its replicas over nodes and zones without blocking a schedule.
 */
export const disruptionsAreBudgeted: Check = (files) => {
  const problems: string[] = [];
  const pdbs = byKind(files, 'PodDisruptionBudget');
  for (const d of byKind(files, 'Deployment')) {
    const name = d.metadata?.name;
    const labels = d.spec?.template?.metadata?.labels ?? {};
    const minPods = Math.min(
      Number(d.spec?.replicas ?? Infinity),
      Number(byKind(files, 'HorizontalPodAutoscaler').find((h) => h.spec?.scaleTargetRef?.name === name)?.spec?.minReplicas ?? Infinity),
      Number(byKind(files, 'ScaledObject').find((o) => o.spec?.scaleTargetRef?.name === name)?.spec?.minReplicaCount ?? Infinity),
    );
    const covering = pdbs.filter((b) => labelsMatch(b.spec?.selector?.matchLabels, labels));
    if (minPods < 2) {
      for (const b of covering) if (b.spec?.minAvailable !== undefined && Number(b.spec.minAvailable) >= minPods) problems.push(`PodDisruptionBudget ${b.metadata?.name} allows no eviction of single-replica ${name}: every node drain would block`);
      continue;
    }
    if (covering.length !== 1) problems.push(`Deployment ${name}: ${covering.length} PodDisruptionBudgets select its pods, not one`);
    for (const b of covering) {
      const allows = b.spec?.maxUnavailable !== undefined ? Number(b.spec.maxUnavailable) >= 1 : b.spec?.minAvailable !== undefined && Number(b.spec.minAvailable) < minPods;
      if (!allows) problems.push(`PodDisruptionBudget ${b.metadata?.name} allows no eviction of ${name} at ${minPods} replicas`);
    }
    const spread: Yaml[] = d.spec?.template?.spec?.topologySpreadConstraints ?? [];
    for (const key of ['kubernetes.io/hostname', 'topology.kubernetes.io/zone']) {
      const c = spread.find((x) => x.topologyKey === key);
      if (!c) problems.push(`Deployment ${name}: replicas are not spread over ${key}`);
      else {
        if (!labelsMatch(c.labelSelector?.matchLabels, labels)) problems.push(`Deployment ${name}: its ${key} spread counts other pods than its own`);
        if (c.whenUnsatisfiable !== 'ScheduleAnyway') problems.push(`Deployment ${name}: its ${key} spread may block scheduling (${c.whenUnsatisfiable})`);
      }
    }
  }
  return problems;
};

/** The ServiceMonitor scrapes the `metrics` port of every process; the PrometheusRule is the tested rule file. */
export const monitoringCoversEveryProcess: Check = (files, source) => {
  const problems: string[] = [];
  const monitors = byKind(files, 'ServiceMonitor');
  for (const s of source.services) {
    const svc = named(files, 'Service', s.name);
    if (!svc) continue;
    const by = monitors.filter((m) => labelsMatch(m.spec?.selector?.matchLabels, svc.metadata?.labels) && (m.spec?.namespaceSelector?.matchNames ?? [NAMESPACE]).includes(NAMESPACE));
    if (by.length === 0) problems.push(`${s.name}: no ServiceMonitor selects its Service`);
    for (const m of by) {
      for (const e of m.spec?.endpoints ?? []) {
        if (!(svc.spec?.ports ?? []).some((p: Yaml) => p.name === e.port)) problems.push(`ServiceMonitor ${m.metadata?.name} scrapes port ${e.port}, which Service ${s.name} does not have`);
        if ((e.path ?? '/metrics') !== '/metrics') problems.push(`ServiceMonitor ${m.metadata?.name} scrapes ${e.path}, not /metrics`);
      }
    }
  }
  const rules = parseYaml('deploy/prometheus/alerts.yaml')[0];
  const shipped = byKind(files, 'PrometheusRule');
  if (shipped.length !== 1) problems.push(`${shipped.length} PrometheusRules, not one`);
  for (const r of shipped) if (JSON.stringify(r.spec?.groups) !== JSON.stringify(rules?.groups)) problems.push(`PrometheusRule ${r.metadata?.name} differs from deploy/prometheus/alerts.yaml (the file promtool tests)`);
  return problems;
};

export const checks = {
  objectsAreWellFormed,
  kustomizationListsEveryFile,
  everyServiceIsDeployed,
  portsAgreeWithTheSeedPorts,
  probesPointAtTheHealthEndpoints,
  everyVariableTheCodeReadsIsSet,
  valuesPointAtWhatExists,
  gracePeriodCoversTheDrain,
  podsAreLockedDown,
  autoscalingIsConsistent,
  postgresConnectionBudget,
  onlyTheGatewayIsReachable,
  composeWaitsForHealthyDependencies,
  statefulSetsKeepTheirData,
  secretsArePlaceholders,
  imageIsBuiltFromTheLockfile,
  disruptionsAreBudgeted,
  monitoringCoversEveryProcess,
} satisfies Record<string, Check>;
