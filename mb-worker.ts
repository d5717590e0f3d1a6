import { createPgliteWorkerDatabase } from '@airline/database';
import { rmSync } from 'node:fs';
const dir = process.argv[2] === 'disk' ? '/tmp/mb/dbw' : undefined;
if (dir) rmSync(dir, { recursive: true, force: true });
const db = await createPgliteWorkerDatabase(dir);
await db.exec(`create table t (id bigserial primary key, a int, b text, c jsonb); create table s(id int primary key, n int); insert into s values (1, 100000000);`);
async function time(label: string, n: number, fn: (i: number) => Promise<unknown>) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  console.log(label, ((performance.now() - t0) / n).toFixed(3), 'ms/op');
}
await time('select 1 query', 3000, () => db.query('select 1'));
await time('insert query', 3000, (i) => db.query('insert into t(a,b,c) values ($1,$2,$3)', [i, 'x' + i, { i }]));
await time('update query', 3000, () => db.query('update s set n = n - 1 where id = 1 and n >= 1 returning n'));
await time('txn 3 stmts', 1000, (i) => db.transaction(async (tx) => { await tx.query('insert into t(a,b,c) values ($1,$2,$3)', [i, 'x', { i }]); await tx.query('update s set n=n-1 where id=1'); await tx.query('select * from t where id=$1', [i]); }));
console.log(JSON.stringify((await db.query('select * from t where id = 5')).rows), (await db.query('update s set n = n - 1')).rowCount);
await db.close();
