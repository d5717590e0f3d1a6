// A thread that owns one or more embedded PostgreSQL (PGlite) databases: see pglite-worker.ts and
// pglite-session.mjs. With PGLITE_STATS set it prints, every 5 s, each database's round trips,
// statements and busy time, the thread's CPU time, and the statements that took the most time (what
// the benchmark notes were measured with).
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { createSession } from './pglite-session.mjs';

/** database number → its session */
const sessions = new Map();
let nextDb = 0;
const stats = process.env.PGLITE_STATS ? startStats() : undefined;

parentPort.on('message', async ({ id, op, db, name, data, statements, sql, schema }) => {
  const started = performance.now();
  try {
    if (op === 'open') {
      const n = nextDb++;
      // the compiled WASM and file bundle come from the thread's creator (pglite-artifacts.ts)
      sessions.set(n, { name: name ?? `memory-${n}`, session: createSession(await PGlite.create({ ...workerData.artifacts, ...data })) });
      parentPort.postMessage({ id, db: n });
      return;
    }
    const { session } = sessions.get(db);
    if (op === 'run') parentPort.postMessage({ id, results: await session.run(statements, schema) });
    else if (op === 'exec') parentPort.postMessage({ id, ...(await session.exec(sql, schema)) });
    else if (op === 'close') {
      sessions.delete(db);
      parentPort.postMessage({ id, ...(await session.close()) });
    }
  } catch (err) {
    const { message, code, detail, constraint, statementIndex } = err;
    parentPort.postMessage({ id, error: { message, code, detail, constraint, statementIndex } });
  }
  if (op !== 'open')
    stats?.record(
      `${sessions.get(db)?.name ?? db}${schema ? `.${schema}` : ''}`,
      statements ?? [{ text: sql ?? op }],
      performance.now() - started,
    );
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
  let since = performance.now();
  let cpu = threadCpuSeconds();
  const perDb = new Map();
  setInterval(() => {
    const elapsed = performance.now() - since;
    const cpuNow = threadCpuSeconds();
    const pct = (x) => `${((x / elapsed) * 100).toFixed(0)}%`;
    const lines = [`[pglite thread ${[...perDb.keys()].join(', ')}] cpu ${pct((cpuNow - cpu) * 1000)}`];
    for (const [name, s] of perDb) {
      const top = [...s.byText].sort((a, b) => b[1].ms - a[1].ms).slice(0, 4);
      lines.push(
        `  [db ${name}] ${((s.trips / elapsed) * 1000).toFixed(0)} trips/s, ${((s.count / elapsed) * 1000).toFixed(0)} statements/s, busy ${pct(s.busy)}`,
      );
      for (const [text, t] of top) lines.push(`      ${t.n} × ${text.replace(/\s+/g, ' ').slice(0, 90)} (${t.ms.toFixed(0)} ms)`);
    }
    console.error(lines.join('\n'));
    perDb.clear();
    since = performance.now();
    cpu = cpuNow;
  }, 5000).unref();
  return {
    record(name, statements, ms) {
      let s = perDb.get(name);
      if (!s) {
        s = { trips: 0, count: 0, busy: 0, byText: new Map() };
        perDb.set(name, s);
      }
      s.trips++;
      s.count += statements.length;
      s.busy += ms;
      for (const { text } of statements) {
        const t = s.byText.get(text) ?? { n: 0, ms: 0 };
        t.n++;
        t.ms += ms / statements.length;
        s.byText.set(text, t);
      }
    },
  };
}
