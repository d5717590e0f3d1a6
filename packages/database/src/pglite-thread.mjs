// The thread that owns one embedded PostgreSQL (PGlite) database: see pglite-worker.ts and
// pglite-session.mjs. With PGLITE_STATS set it prints, every 5 s, its round trips, statements and
// busy time, and the statements that took the most time (what the benchmark notes were measured with).
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { createSession } from './pglite-session.mjs';

const session = createSession(await PGlite.create(workerData.dir ? { dataDir: workerData.dir } : {}));
const stats = process.env.PGLITE_STATS ? startStats() : undefined;

parentPort.on('message', async ({ id, op, statements, sql }) => {
  const started = performance.now();
  try {
    if (op === 'run') parentPort.postMessage({ id, results: await session.run(statements) });
    else if (op === 'exec') parentPort.postMessage({ id, ...(await session.exec(sql)) });
    else if (op === 'close') parentPort.postMessage({ id, ...(await session.close()) });
  } catch (err) {
    const { message, code, detail, constraint, statementIndex } = err;
    parentPort.postMessage({ id, error: { message, code, detail, constraint, statementIndex } });
  }
  stats?.record(statements ?? [{ text: sql ?? op }], performance.now() - started);
});
parentPort.postMessage({ ready: true });

/** CPU seconds this thread has used (Linux: /proc/thread-self), or NaN elsewhere. */
function threadCpuSeconds() {
  try {
    const fields = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks
  } catch {
    return NaN;
  }
}

function startStats() {
  let trips = 0, count = 0, busy = 0, since = performance.now(), cpu = threadCpuSeconds();
  const byText = new Map();
  setInterval(() => {
    const elapsed = performance.now() - since;
    const cpuNow = threadCpuSeconds();
    const top = [...byText].sort((a, b) => b[1].ms - a[1].ms).slice(0, 5);
    console.error(
      `[db ${workerData.dir?.split('/').pop() ?? 'memory'}] ${(trips / elapsed * 1000).toFixed(0)} trips/s, ${(count / elapsed * 1000).toFixed(0)} statements/s, busy ${(busy / elapsed * 100).toFixed(0)}%, cpu ${((cpuNow - cpu) * 1000 / elapsed * 100).toFixed(0)}%` +
        top.map(([text, s]) => `\n    ${s.n} × ${text.replace(/\s+/g, ' ').slice(0, 90)} (${s.ms.toFixed(0)} ms)`).join(''),
    );
    trips = count = busy = 0;
    since = performance.now();
    cpu = cpuNow;
    byText.clear();
  }, 5000).unref();
  return {
    record(statements, ms) {
      trips++;
      count += statements.length;
      busy += ms;
      for (const { text } of statements) {
        const s = byText.get(text) ?? { n: 0, ms: 0 };
        s.n++;
        s.ms += ms / statements.length;
        byText.set(text, s);
      }
    },
  };
}
