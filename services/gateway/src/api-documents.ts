// Where the schemas of forwarded routes come from: each service's own OpenAPI document, checked in
// beside it (services/<name>/openapi.json, written by `npm run openapi` from its route definitions). The
// gateway reads the files; it imports no service's code.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { OpenApiDocument } from './openapi.js';

/** The documents of the forwarded routes, by service. */
export type ApiDocuments = Record<string, OpenApiDocument>;

/** The checked-in document of a service (a file missing is a mistake: `npm run openapi` writes it). */
export function checkedInDocument(service: string): OpenApiDocument {
  const file = fileURLToPath(new URL(`../../${service}/openapi.json`, import.meta.url));
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as OpenApiDocument;
  } catch (err) {
    throw new Error(`the OpenAPI document of the ${service} service cannot be read (${(err as Error).message}); run npm run openapi`);
  }
}

/** The checked-in documents of the given services. */
export const checkedInDocuments = (services: Iterable<string>): ApiDocuments =>
  Object.fromEntries([...new Set(services)].map((service) => [service, checkedInDocument(service)]));
