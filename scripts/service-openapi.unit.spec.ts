// The services' checked-in OpenAPI documents (services/<name>/openapi.json) are the ones their route
// definitions give: a route or schema changed without `npm run openapi` fails here.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { documentedServices, documentFile, readCheckedIn, serviceDocument } from './service-openapi.js';

describe("each service's checked-in OpenAPI document", () => {
  for (const service of Object.keys(documentedServices)) {
    it(`services/${service}/openapi.json is what its routes give (run \`npm run openapi\` after changing one)`, async () => {
      expect(existsSync(documentFile(service)), `services/${service}/openapi.json exists`).toBe(true);
      const current = await serviceDocument(service);
      expect(Object.keys(current.paths).length).toBeGreaterThan(0);
      expect(readCheckedIn(service)).toEqual(current);
    });
  }
});
