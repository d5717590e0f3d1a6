// Writes docs/asyncapi.json from the event schemas. A test fails when the checked-in file is stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildAsyncApiDocument } from '../src/index.js';

const target = fileURLToPath(new URL('../../../docs/asyncapi.json', import.meta.url));
writeFileSync(target, `${JSON.stringify(buildAsyncApiDocument(), null, 2)}\n`);
console.log('wrote docs/asyncapi.json');
