// The thread that owns one embedded PostgreSQL (PGlite) database: see pglite-worker.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

const pg = await PGlite.create(workerData.dir ? { dataDir: workerData.dir } : {});
parentPort.on('message', async ({ id, op, sql, params }) => {
  try {
    if (op === 'query') {
      const r = await pg.query(sql, params);
      parentPort.postMessage({ id, rows: r.rows, rowCount: Math.max(r.affectedRows ?? 0, r.rows.length) });
    } else if (op === 'exec') {
      await pg.exec(sql);
      parentPort.postMessage({ id });
    } else if (op === 'close') {
      await pg.close();
      parentPort.postMessage({ id });
    }
  } catch (err) {
    parentPort.postMessage({ id, error: { message: err.message, code: err.code, detail: err.detail, constraint: err.constraint } });
  }
});
parentPort.postMessage({ ready: true });
