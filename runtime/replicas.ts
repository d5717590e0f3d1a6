// A node:cluster primary for one service: `REPLICAS=3 SERVICE=flight node --import tsx runtime/replicas.ts
// services/flight/src/main.ts`. It forks the replicas (they share the service's port; the primary hands
// out the connections, like a Service in front of pods), replaces a replica that dies (like a
// ReplicaSet), and on SIGTERM stops them all gracefully. It loads nothing of the service itself, so it
// starts fast and stays small. Reports each replica to the process that started it, over IPC.
import cluster, { type Worker } from 'node:cluster';
import { resolve } from 'node:path';
import pino from 'pino';

export type ReplicaReport =
  | { type: 'replica-listening'; service: string; replica: number; pid: number; port: number }
  | {
      type: 'replica-exited';
      service: string;
      replica: number;
      pid: number;
      code: number | null;
      signal: string | null;
      restarting: boolean;
    };

const main = process.argv[2];
if (!main) throw new Error('usage: replicas.ts <service main.ts>');
const service = process.env.SERVICE ?? main;
const replicas = Number(process.env.REPLICAS ?? '1');
if (!Number.isInteger(replicas) || replicas < 1) throw new Error(`REPLICAS must be a whole number ≥ 1, not ${process.env.REPLICAS}`);

const servicePort = process.env.PORT ? Number(process.env.PORT) : undefined;
const log = pino({ level: process.env.LOG_LEVEL ?? 'info', base: { service, pid: process.pid, role: 'primary' } });
const report = (r: ReplicaReport) => process.send?.(r);
const byWorker = new Map<Worker, number>();
const crashes: number[] = Array(replicas).fill(0);
let stopping = false;
let failedStops = 0;

// REPLICA_NODE_ARGS: extra node flags for the replicas only (--cpu-prof, --inspect=0, …)
const extraArgs = (process.env.REPLICA_NODE_ARGS ?? '').split(' ').filter(Boolean);
cluster.setupPrimary({ exec: resolve(main), execArgv: [...process.execArgv, ...extraArgs] });

function fork(replica: number) {
  const worker = cluster.fork({ REPLICA_INDEX: String(replica) });
  const pid = worker.process.pid!;
  const startedAt = Date.now();
  byWorker.set(worker, replica);
  // a replica is up when the service's own port listens (the gateway also opens a management port, first)
  worker.on('listening', (address) => {
    if (servicePort === undefined || address.port === servicePort)
      report({ type: 'replica-listening', service, replica, pid, port: address.port });
  });
  worker.on('exit', (code, signal) => {
    byWorker.delete(worker);
    const restarting = !stopping;
    report({ type: 'replica-exited', service, replica, pid, code, signal, restarting });
    if (!restarting) {
      if (code !== 0) failedStops++;
      if (byWorker.size === 0) process.exit(failedStops === 0 ? 0 : 1);
      return;
    }
    if (code === 0) {
      // a clean exit (SIGTERM to this replica: a rolling restart) is no failure: replaced at once
      log.info({ replica, replicaPid: pid }, 'replica stopped; replacing it');
      fork(replica);
      return;
    }
    // a replica that keeps dying right after its start is replaced more and more slowly
    crashes[replica] = Date.now() - startedAt > 30_000 ? 1 : crashes[replica]! + 1;
    const delay = Math.min(10_000, 250 * 2 ** (crashes[replica]! - 1));
    log.warn({ replica, replicaPid: pid, code, signal, restartInMs: delay }, 'replica exited; replacing it');
    setTimeout(() => !stopping && fork(replica), delay);
  });
}

function stop(why: string) {
  if (stopping) return;
  stopping = true;
  log.info({ replicas: byWorker.size }, `${why}: stopping replicas`);
  if (byWorker.size === 0) process.exit(0);
  for (const w of byWorker.keys()) w.process.kill('SIGTERM');
}

process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
if (process.channel) process.once('disconnect', () => stop('launcher gone'));
for (let i = 0; i < replicas; i++) fork(i);
log.info({ replicas }, `${replicas} replica(s) of ${service} sharing one port`);
