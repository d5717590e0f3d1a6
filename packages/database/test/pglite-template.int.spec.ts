// New PGlite databases are copies of one initialised cluster (the template), built once and kept on
// disk: each is a whole, empty, independent database; a directory that holds something else is refused;
// a template that lost a file is built again.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'airline-pglite-template-spec-'));
// this file's own template, so that the spec sees it built (vitest gives each file fresh modules)
process.env.PGLITE_TEMPLATE_DIR = join(dir, 'template');
const { createPgliteDatabase, createPgliteWorkerDatabase } = await import('../src/index.js');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tables = async (db: Awaited<ReturnType<typeof createPgliteDatabase>>) =>
  (await db.query<{ name: string }>(`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).rows.map(
    (r) => r.name,
  );

describe('databases made from the template', () => {
  it('builds the template once, and every new database (on disk or in memory) is its own empty cluster', async () => {
    const a = await createPgliteWorkerDatabase(join(dir, 'a'));
    expect(existsSync(join(dir, 'template', 'cluster.tar'))).toBe(true);
    expect(readdirSync(dir).filter((f) => f.includes('.building-') || f.includes('.creating-'))).toEqual([]);
    await a.exec('CREATE TABLE only_in_a (id int)');
    const b = await createPgliteWorkerDatabase(join(dir, 'b'));
    const memory = await createPgliteDatabase();
    expect(await tables(a)).toEqual(['only_in_a']);
    expect(await tables(b)).toEqual([]);
    expect(await tables(memory)).toEqual([]);
    await Promise.all([a.close(), b.close(), memory.close()]);

    const reopened = await createPgliteDatabase(join(dir, 'a'));
    expect(await tables(reopened)).toEqual(['only_in_a']);
    await reopened.close();
  });

  it('builds the template again when a file of it went missing (a temporary-directory cleaner)', async () => {
    rmSync(join(dir, 'template', 'data', 'PG_VERSION'));
    vi.resetModules(); // a new process, as far as the module's memory goes
    const again = await import('../src/index.js');
    const c = await again.createPgliteWorkerDatabase(join(dir, 'c'));
    expect(await tables(c)).toEqual([]);
    await c.close();
    expect(existsSync(join(dir, 'template', 'data', 'PG_VERSION'))).toBe(true);
    expect(readdirSync(dir).filter((f) => f.includes('.broken-') || f.includes('.building-'))).toEqual([]);
  });

  it('with nowhere to keep a template (a read-only install), builds one for the process and carries on', async () => {
    writeFileSync(join(dir, 'a-file'), '');
    process.env.PGLITE_TEMPLATE_DIR = join(dir, 'a-file', 'template'); // under a file: nothing can be made there
    vi.resetModules();
    const readOnly = await import('../src/index.js');
    const d = await readOnly.createPgliteDatabase(join(dir, 'd'));
    expect(await tables(d)).toEqual([]);
    await d.close();
    process.env.PGLITE_TEMPLATE_DIR = join(dir, 'template');
  });

  it('refuses a directory that holds files but no database, and leaves it as it was', async () => {
    mkdirSync(join(dir, 'other'));
    writeFileSync(join(dir, 'other', 'notes.txt'), 'not a database');
    await expect(createPgliteDatabase(join(dir, 'other'))).rejects.toThrow(/other holds files but no database/);
    expect(readdirSync(join(dir, 'other'))).toEqual(['notes.txt']);
  });
});
