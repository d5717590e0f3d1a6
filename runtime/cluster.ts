// The distributed runtime on one machine: one process group per service (a node:cluster primary and
// its replicas, sharing the service's port the way pods share a Service), each service with its own
// PostgreSQL database, all on one NATS JetStream. `npm run start:cluster` (runtime/start-cluster.ts),
// the integration tests and `npm run bench -- --cluster` start it through startCluster().
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@airline/testing/plain';
import type { ReplicaReport } from './replicas.js';

const root = fileURLToPath(new URL('..', import.meta.url));

export interface ClusterService {
  name: string;
  /** Entry point, from the repository root. */
  main: string;
  /** Seed port (SPEC). */
  port: number;
  /** Has a database of its own. */
  database: boolean;
  /** Consumes events (so it has dead letters: `npm run dlq`). */
  consumers?: boolean;
  /** At most this many replicas (the processor sandbox keeps its injected faults in memory: one). */
  maxReplicas?: number;
  /** Environment that wires it to the others, given every service's URL. */
  env?: (urls: Record<string, string>) => Record<string, string>;
}

/**
 * Every process of the system, in start order. Adding a service = its `src/main.ts` (three lines, see
 * services/flight/src/main.ts) and one row here; the gateway finds it through `<NAME>_URL`.
 */
export const clusterServices: ClusterService[] = [
  { name: 'payment-processor', main: 'services/payment-processor/src/main.ts', port: 8089, database: true, maxReplicas: 1 }, // its vault and ledger
  { name: 'flight', main: 'services/flight/src/main.ts', port: 8083, database: true, consumers: true },
  {
    name: 'reservation',
    main: 'services/reservation/src/main.ts',
    port: 8082,
    database: true,
    consumers: true,
    env: (u) => ({ FLIGHT_URL: u.flight!, PAYMENT_PROCESSOR_URL: u['payment-processor']! }),
  }, // asks the flight service; tokenises cards
  {
    name: 'payment',
    main: 'services/payment/src/main.ts',
    port: 8084,
    database: true,
    consumers: true,
    env: (u) => ({ PAYMENT_PROCESSOR_URL: u['payment-processor']! }),
  },
  { name: 'mileage', main: 'services/mileage/src/main.ts', port: 8086, database: true, consumers: true },
  { name: 'notification', main: 'services/notification/src/main.ts', port: 8087, database: true, consumers: true },
  { name: 'dashboard', main: 'services/dashboard/src/main.ts', port: 8085, database: true, consumers: true },
  {
    name: 'gateway',
    main: 'services/gateway/src/main.ts',
    port: 8088,
    database: true, // users and the token signing key, shared by its replicas
    env: (u) =>
      Object.fromEntries(
        Object.entries(u)
          .filter(([n]) => n !== 'gateway')
          .map(([n, url]) => [`${n.toUpperCase().replace(/-/g, '_')}_URL`, url]),
      ),
  },
];

export interface ClusterOptions {
  /** PostgreSQL server, without a database name. */
  pgUrl?: string;
  /** Databases are named `<dbPrefix>_<service>`. */
  dbPrefix?: string;
  natsUrl?: string;
  /** Stream, subjects and consumers prefix (EVENTS_PREFIX). */
  eventsPrefix?: string;
  /** Replicas per service (default 1). */
  replicas?: Record<string, number>;
  /** Ports per service; 'free' picks free ones (tests). Default: the seed ports. */
  ports?: Record<string, number> | 'free';
  host?: string;
  /** Only these services (default all). */
  only?: string[];
  /** Environment for every process (LOG_LEVEL, MAX_ATTEMPTS, HOLD_TTL_MS, …) and per service. */
  env?: Record<string, string>;
  serviceEnv?: Record<string, Record<string, string>>;
  /** Where the processes write their logs: inherited, dropped, or one file per service in a directory. */
  output?: 'inherit' | 'ignore' | { dir: string };
  /** Called with every replica report (started, exited). */
  onReport?: (report: ReplicaReport) => void;
  readyTimeoutMs?: number;
}

export interface RunningCluster {
  urls: Record<string, string>;
  databases: Record<string, string>;
  /** Pids of the replicas of a service that are up now. */
  replicaPids(service: string): number[];
  /** SIGTERM to the service's primary: its replicas finish their work and exit. Resolves with the exit code. */
  stop(service: string): Promise<number | null>;
  /** Starts a stopped service again and waits until it is ready. */
  start(service: string): Promise<void>;
  /** Waits until every replica of the service listens and it answers ready. */
  waitReady(service: string): Promise<void>;
  stopAll(): Promise<void>;
}

export const databaseName = (prefix: string, service: string) => `${prefix}_${service.replace(/-/g, '_')}`;

export async function startCluster(options: ClusterOptions = {}): Promise<RunningCluster> {
  const pgUrl = (options.pgUrl ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');
  const dbPrefix = options.dbPrefix ?? 'airline';
  const host = options.host ?? '127.0.0.1';
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const services = clusterServices.filter((s) => !options.only || options.only.includes(s.name));
  const ports: Record<string, number> = {};
  for (const s of services) ports[s.name] = options.ports === 'free' ? await freePort() : (options.ports?.[s.name] ?? s.port);
  const urls = Object.fromEntries(services.map((s) => [s.name, `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${ports[s.name]}`]));
  // the gateway answers readiness without a token only on its management port (its public one is staff-only)
  const managementPorts: Record<string, number> = {};
  if (services.some((s) => s.name === 'gateway')) managementPorts.gateway = options.ports === 'free' ? await freePort() : 9088;
  const readyUrl = (name: string) =>
    managementPorts[name] ? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${managementPorts[name]}` : urls[name];
  const databases = Object.fromEntries(services.filter((s) => s.database).map((s) => [s.name, databaseName(dbPrefix, s.name)]));
  const replicaCount = (s: ClusterService) => Math.max(1, Math.min(s.maxReplicas ?? Infinity, options.replicas?.[s.name] ?? 1));

  // the gateway's replicas share one token signing key; unless one is given (a Secret), one for this run
  const keyGiven = ['GATEWAY_SIGNING_KEY', 'GATEWAY_SIGNING_KEY_FILE'].some(
    (k) => process.env[k] || options.env?.[k] || options.serviceEnv?.gateway?.[k],
  );
  const signingKeyEnv: Record<string, string> = keyGiven
    ? {}
    : {
        GATEWAY_SIGNING_KEY: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
          type: 'pkcs8',
          format: 'pem',
        }) as string,
      };

  const primaries = new Map<string, { child: ChildProcess; exited: Promise<number | null> }>();
  const live = new Map<string, Map<number, number>>(); // service → replica → pid
  const startupFailures = new Map<string, string>(); // a replica that died before its service was ready
  const ready = new Set<string>();

  function launch(s: ClusterService) {
    const replicas = replicaCount(s);
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      NATS_URL: options.natsUrl ?? 'nats://127.0.0.1:4222',
      EVENTS_PREFIX: options.eventsPrefix ?? 'airline',
      HOST: host,
      PORT: String(ports[s.name]),
      SERVICE: s.name,
      REPLICAS: String(replicas),
      // a connection budget per service, shared by its replicas (PostgreSQL allows ~100 in all)
      PG_POOL_MAX: String(Math.max(4, Math.ceil(16 / replicas))),
      ...(s.database ? { DATABASE_URL: `${pgUrl}/${databases[s.name]}` } : {}),
      ...s.env?.(urls),
      ...(s.name === 'gateway' ? signingKeyEnv : {}),
      ...(managementPorts[s.name] ? { MANAGEMENT_PORT: String(managementPorts[s.name]) } : {}),
      ...options.env,
      ...options.serviceEnv?.[s.name],
    };
    let out: 'inherit' | 'ignore' | number = 'ignore';
    if (options.output === 'inherit') out = 'inherit';
    else if (options.output && typeof options.output === 'object') out = openSync(join(options.output.dir, `${s.name}.log`), 'a');
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'runtime/replicas.ts'), join(root, s.main)], {
      cwd: root,
      env,
      stdio: ['ignore', out, out, 'ipc'],
    });
    if (typeof out === 'number') closeSync(out);
    const pids = new Map<number, number>();
    live.set(s.name, pids);
    ready.delete(s.name);
    startupFailures.delete(s.name);
    child.on('message', (m: ReplicaReport) => {
      if (m.type === 'replica-listening') pids.set(m.replica, m.pid);
      else {
        if (pids.get(m.replica) === m.pid) pids.delete(m.replica);
        if (!ready.has(s.name) && m.code !== 0)
          startupFailures.set(s.name, `replica ${m.replica} exited with ${m.code ?? m.signal} while starting`);
      }
      options.onReport?.(m);
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    primaries.set(s.name, { child, exited });
  }

  async function waitReady(name: string) {
    const s = services.find((x) => x.name === name);
    if (!s) throw new Error(`no service ${name} in this cluster`);
    const deadline = Date.now() + readyTimeoutMs;
    const primary = primaries.get(name);
    for (;;) {
      if (primary && primary.child.exitCode !== null) throw new Error(`${name} exited with ${primary.child.exitCode} while starting`);
      const failure = startupFailures.get(name);
      if (failure) throw new Error(`${name}: ${failure} (see its log)`);
      if ((live.get(name)?.size ?? 0) >= replicaCount(s)) {
        const ok = await fetch(`${readyUrl(name)}/health/ready`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) {
          ready.add(name);
          return;
        }
      }
      if (Date.now() > deadline) throw new Error(`${name} not ready after ${readyTimeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function stop(name: string) {
    const p = primaries.get(name);
    if (!p) return null;
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    const code = await p.exited;
    primaries.delete(name);
    return code;
  }

  const stopAll = async () => {
    // the entry first, then the services, the processor last: in-flight work can still finish
    for (const s of [...services].reverse()) await stop(s.name);
  };

  try {
    for (const s of services) launch(s);
    for (const s of services) await waitReady(s.name);
  } catch (err) {
    await stopAll();
    throw err;
  }

  return {
    urls,
    databases,
    replicaPids: (name) => [...(live.get(name)?.values() ?? [])],
    stop,
    async start(name) {
      const s = services.find((x) => x.name === name);
      if (!s) throw new Error(`no service ${name} in this cluster`);
      if (primaries.has(name)) throw new Error(`${name} is running`);
      launch(s);
      await waitReady(name);
    },
    waitReady,
    stopAll,
  };
}
