// Every response a spec sees through the gateway is checked against the OpenAPI document the gateway
// serves: the path and method are documented, the status is one of the operation's responses, the
// content type is the documented one, and the body validates against its schema.
import Ajv2020 from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import type { OpenApiDocument } from '@airline/gateway';

type Json = Record<string, any>;

export interface SeenResponse {
  method: string;
  url: string;
  status: number;
  contentType: string | null;
  body: unknown;
}

/** Inlines `#/components/...` references, so each schema compiles on its own. */
function deref(node: unknown, doc: Json): unknown {
  if (Array.isArray(node)) return node.map((n) => deref(n, doc));
  if (!node || typeof node !== 'object') return node;
  const ref = (node as Json).$ref;
  if (typeof ref === 'string' && ref.startsWith('#/')) {
    return deref(
      ref
        .slice(2)
        .split('/')
        .reduce((o: Json, k) => o?.[k], doc),
      doc,
    );
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, deref(v, doc)]));
}

export function conformance(doc: OpenApiDocument) {
  const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ strict: false, allErrors: false, validateFormats: false });
  const compiled = new Map<object, ValidateFunction>();
  const patterns = Object.keys(doc.paths).map((path) => {
    const segments = path.split('/');
    return {
      path,
      params: segments.filter((s) => s.startsWith('{')).length,
      matches: (url: string) => {
        const parts = url.split('/');
        return parts.length === segments.length && segments.every((s, i) => (s.startsWith('{') ? parts[i] !== '' : s === parts[i]));
      },
    };
  });
  const violations: string[] = [];
  let checked = 0;
  const undocumented: string[] = [];

  function operationFor(method: string, url: string): { path: string; op: Json } | undefined {
    // a trailing slash names the same resource ('/reservations/' is the list, as the services answer it)
    const path = url.split('?')[0]!.replace(/(.)\/+$/, '$1');
    const matches = patterns.filter((p) => p.matches(path) && doc.paths[p.path]![method.toLowerCase()]).sort((a, b) => a.params - b.params);
    const best = matches[0];
    return best && { path: best.path, op: doc.paths[best.path]![method.toLowerCase()]! };
  }

  return {
    violations,
    undocumented,
    get checked() {
      return checked;
    },
    /** Checks one response; an API path the document does not describe is recorded as undocumented. */
    check(seen: SeenResponse) {
      if (/^\/(docs\b|openapi\.json)/.test(seen.url)) return; // the documents themselves
      const found = operationFor(seen.method, seen.url);
      if (!found) {
        undocumented.push(`${seen.method} ${seen.url.split('?')[0]} → ${seen.status}`);
        return;
      }
      checked++;
      const where = `${seen.method} ${found.path} → ${seen.status}`;
      const responses = found.op.responses as Json;
      const response = responses[String(seen.status)] ?? responses[`${String(seen.status)[0]}XX`] ?? responses.default;
      if (!response) return void violations.push(`${where}: status not documented (documented: ${Object.keys(responses).join(', ')})`);
      if (!response.content || seen.body === undefined || seen.body === '') return;
      const type = (seen.contentType ?? '').split(';')[0]!.trim();
      const media = response.content[type];
      if (!media)
        return void violations.push(`${where}: content type ${type} not documented (${Object.keys(response.content).join(', ')})`);
      if (!media.schema) return;
      let validate = compiled.get(media.schema);
      if (!validate) {
        validate = ajv.compile(deref(media.schema, doc) as Json);
        compiled.set(media.schema, validate);
      }
      if (!validate(seen.body))
        violations.push(
          `${where}: body does not match the schema: ${ajv.errorsText(validate.errors)} — ${JSON.stringify(seen.body).slice(0, 300)}`,
        );
    },
  };
}

export type Conformance = ReturnType<typeof conformance>;
