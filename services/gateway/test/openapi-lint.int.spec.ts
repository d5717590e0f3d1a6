// The public OpenAPI document passes the two linters API clients' tooling uses (issue 14): Redocly's
// `recommended` ruleset with no error and Spectral's `spectral:oas` with no warning. The document is the
// one the gateway serves at /openapi.json, written to a file and linted by each CLI as a user would.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGateway } from '../src/index.js';

const run = promisify(execFile);
const bin = (name: string) => fileURLToPath(new URL(`../../../node_modules/.bin/${name}`, import.meta.url));
let dir: string;
let file: string;
let doc: Record<string, any>;

beforeAll(async () => {
  // upstreams that are never called: the document is made from the route schemas
  const nowhere = 'http://127.0.0.1:9';
  const app = await buildGateway({
    upstreams: {
      flight: nowhere,
      reservation: nowhere,
      payment: nowhere,
      processor: nowhere,
      dashboard: nowhere,
      mileage: nowhere,
      notification: nowhere,
    },
    users: [],
  });
  await app.ready();
  dir = await mkdtemp(join(tmpdir(), 'openapi-lint-'));
  file = join(dir, 'openapi.json');
  doc = app.openapi();
  await writeFile(file, JSON.stringify(doc, null, 2));
  await app.close();
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs a linter; its findings are in its JSON output whatever its exit code. */
async function lint(command: string, args: string[]): Promise<string> {
  try {
    return (
      await run(command, args, {
        cwd: dir,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      })
    ).stdout;
  } catch (err) {
    const out = (err as { stdout?: string }).stdout;
    if (out) return out;
    throw err;
  }
}

describe('the public OpenAPI document', () => {
  it('names its schemas, gives every operation a summary and tags, and describes 201 with Location and the event stream', () => {
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Flight', 'Reservation', 'Problem', 'Notification', 'CustomerInfo', 'ScheduledTime']),
    );
    expect(doc.paths['/flights'].get.responses['200'].content['application/json'].schema).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/Flight' },
    });
    expect(doc.servers.length).toBeGreaterThan(0);
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods as Record<string, any>).map(([method, op]) => ({ where: `${method} ${path}`, op })),
    );
    expect(ops.filter(({ op }) => !op.summary || !op.tags?.length).map((o) => o.where)).toEqual([]);
    expect(
      ops.flatMap(({ where, op }) =>
        Object.entries(op.responses)
          .filter(
            ([, r]) => !(r as { description?: string }).description || (r as { description: string }).description === 'Default Response',
          )
          .map(([s]) => `${where} ${s}`),
      ),
    ).toEqual([]);
    expect(doc.paths['/reservations'].post.responses['201'].headers.Location).toBeDefined();
    expect(Object.keys(doc.paths['/notifications/stream'].get.responses['200'].content)).toEqual(['text/event-stream']);
  });

  it('has no error under Redocly’s recommended ruleset', async () => {
    await writeFile(join(dir, 'redocly.yaml'), 'extends:\n  - recommended\n');
    const out = JSON.parse(await lint(bin('redocly'), ['lint', file, '--format', 'json']));
    const errors = (
      out.problems as Array<{ severity: string; ruleId: string; message: string; location: Array<{ pointer: string }> }>
    ).filter((p) => p.severity === 'error');
    expect(errors.map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`)).toEqual([]);
  });

  it('has no warning (nor error) under Spectral’s spectral:oas', async () => {
    await writeFile(join(dir, '.spectral.yaml'), 'extends: ["spectral:oas"]\n');
    const out = JSON.parse(
      (await lint(bin('spectral'), ['lint', file, '--format', 'json', '--ruleset', join(dir, '.spectral.yaml'), '--quiet'])) || '[]',
    );
    // severity 0 error, 1 warning
    const findings = (out as Array<{ code: string; severity: number; message: string; path: string[] }>).filter((f) => f.severity <= 1);
    expect(findings.map((f) => `${f.code} ${f.path.join('.')}: ${f.message}`)).toEqual([]);
  });
});
