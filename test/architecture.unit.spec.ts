// The services are independent: no service's code imports another service, the gateway included (it
// reads the services' checked-in OpenAPI documents, not their route modules). A service may use the
// shared packages only.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const servicesDir = fileURLToPath(new URL('../services', import.meta.url));
const services = readdirSync(servicesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
const packageName = (service: string) =>
  (JSON.parse(readFileSync(join(servicesDir, service, 'package.json'), 'utf8')) as { name: string }).name;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|js|mjs)$/.test(entry.name) ? [path] : [];
  });
}

/** What a source file imports (static, dynamic and re-exports). */
const importsOf = (text: string) => [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g)].map((m) => m[1]!);

describe('the services', () => {
  it('are found (the check below has something to check)', () => {
    expect(services).toEqual(expect.arrayContaining(['gateway', 'flight', 'reservation', 'payment']));
  });

  for (const service of services) {
    it(`${service}: its code imports no other service`, () => {
      const others = services.filter((s) => s !== service);
      const otherPackages = new Set(others.map(packageName));
      const found = sourceFiles(join(servicesDir, service, 'src')).flatMap((file) =>
        importsOf(readFileSync(file, 'utf8'))
          .filter(
            (spec) =>
              otherPackages.has(spec) ||
              [...otherPackages].some((p) => spec.startsWith(`${p}/`)) ||
              others.some((o) => new RegExp(`(^|/)\\.\\./(\\.\\./)*${o}/`).test(spec)),
          )
          .map((spec) => `${file.slice(servicesDir.length + 1)} imports ${spec}`),
      );
      expect(found).toEqual([]);
    });
  }
});
