// `npm run openapi`: writes services/<name>/openapi.json for every service the gateway forwards to,
// from its route definitions (service-openapi.ts). Run it after changing a route or its schema.
import { writeFileSync } from 'node:fs';
import { documentedServices, documentFile, serviceDocument } from './service-openapi.js';

for (const service of Object.keys(documentedServices)) {
  writeFileSync(documentFile(service), `${JSON.stringify(await serviceDocument(service), null, 2)}\n`);
  console.log(`wrote services/${service}/openapi.json`);
}
