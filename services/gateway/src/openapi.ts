// One OpenAPI 3.1 document for the public API, generated at start from the route schemas: the
// services' checked-in documents (api-documents.ts) for what the gateway forwards, the gateway's own for
// its endpoints.
// Each operation gets the gateway's security (policy.ts) and the answers the gateway itself can give
// (401, 403, 404 for what is not yours, 413, 429, 503, ...), all as problem+json.
import type { Method, Policy } from './policy.js';

// biome-ignore lint/suspicious/noExplicitAny: OpenAPI documents are walked as plain JSON
type Json = Record<string, any>;
export type OpenApiDocument = Json & { openapi: string; paths: Record<string, Record<string, Json>> };

export const DOCUMENT_INFO = {
  title: 'Airline reservations — public API',
  version: '1.0.0',
  description: [
    'The one public entry of the system (the gateway). Sign in with `POST /auth/login` and send the token as',
    '`Authorization: Bearer <token>`. Customers act only as themselves: the customerId of a booking comes from',
    'the token, lists are filtered to their own data, and what belongs to another customer answers 404.',
    'Staff (role admin) register and cancel flights and see the dashboards. Errors are problem+json (RFC 9457)',
    'naming the offending `field`. The integration events are described by the AsyncAPI document at',
    '`/docs/asyncapi.json`. With `Accept: application/hal+json`, `/` and the lists answer HAL as Spring Data REST does.',
  ].join(' '),
  contact: { name: 'Airline reservations maintainers' },
};

/** What each tag of the public document is about. */
const TAG_DESCRIPTIONS: Record<string, string> = {
  auth: 'Sign in, and who the token is',
  flights: 'The flight catalog: search, seats left, registration and cancellation (staff)',
  airports: 'The airport table (IATA code, name, city, country, time zone)',
  reservations: 'Bookings: place, read, name passengers, cancel; the saga view',
  payments: 'Payments and refunds of bookings',
  mileages: "A customer's miles and their ledger",
  notifications: "A customer's notifications, stored and live",
  dashboard: 'Read models for staff (CQRS): customers, flight board, history',
  'dead-letters': 'Events a consumer could not handle, parked for a person to redrive',
  health: 'Liveness, readiness and metrics',
  hal: 'Entry points for HAL clients',
};

export const toOpenApiPath = (fastifyPath: string) => fastifyPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

const Problem = {
  type: 'object',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    field: { type: 'string', description: 'the input the problem is about (body.seatQty, querystring.limit, Idempotency-Key, ...)' },
    instance: { type: 'string' },
  },
};
const problem = (description: string, headers?: Json) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});
const retryAfter = { 'Retry-After': { description: 'seconds to wait before trying again', schema: { type: 'integer' } } };

/** One operation of the public document and where its schemas come from. */
export interface DocumentedOperation {
  policy: Policy;
  /** The operation in the services' document (forwarded) or the gateway's own (native). */
  source: Json | undefined;
  forwarded: boolean;
  hasBody: boolean;
}

function accessNote(policy: Policy): string {
  const who = { public: 'Public: no token needed.', user: 'Signed-in users.', admin: 'Staff only (role admin); customers get 403.' }[
    policy.access
  ];
  const own =
    policy.own &&
    {
      body: "A customer books as themselves: the body's customerId is replaced by the token's.",
      query: 'A customer sees only their own: the customerId filter is set from the token.',
      param: `A customer may only name their own ${policy.own.kind === 'param' ? policy.own.param : ''}; any other answers 404.`,
      response: "Another customer's resource answers 404, exactly as one that does not exist.",
      lookup: "Another customer's reservation answers 404, exactly as one that does not exist.",
    }[policy.own.kind];
  return [who, own].filter(Boolean).join(' ');
}

function operation({ policy, source, forwarded, hasBody }: DocumentedOperation): Json {
  const op: Json = source
    ? structuredClone(source)
    : { summary: `${policy.method} ${policy.path}`, responses: { 200: { description: 'OK' } } };
  op.operationId = `${policy.method.toLowerCase()}${policy.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`;
  op.description = [op.description, accessNote(policy)].filter(Boolean).join('\n\n');
  op.security = policy.access === 'public' ? [] : [{ bearerAuth: [] }];
  if (!op.tags) op.tags = [policy.path.split('/')[1] ?? 'api'];
  if (!op.summary) op.summary = `${policy.method} ${policy.path}`;

  // path parameters of the gateway path that the source does not declare
  op.parameters ??= [];
  const params: Json[] = op.parameters;
  for (const [, name] of policy.path.matchAll(/:([A-Za-z0-9_]+)/g)) {
    if (!params.some((p) => p.in === 'path' && p.name === name))
      params.push({ name, in: 'path', required: true, schema: { type: 'string' } });
  }
  if (params.length === 0) delete op.parameters;

  op.responses ??= {};
  const responses: Json = op.responses;
  // what a service answers with a status of 400 and up is problem+json, whatever the source declared
  for (const [status, response] of Object.entries(responses)) {
    if (Number(status) >= 400)
      responses[status] = problem(response.description && response.description !== 'Default Response' ? response.description : 'Problem');
  }
  const add = (status: number, description: string, headers?: Json) => (responses[status] ??= problem(description, headers));
  // a parameter or body can be wrong; an operation whose source is unknown may have parameters too
  if (hasBody || params.length > 0 || source?.requestBody || !source) add(400, 'Invalid request: the problem names the field');
  if (params.some((p) => p.in === 'path')) add(414, 'A path parameter longer than any valid one');
  if (hasBody) {
    add(413, 'Request body too large');
    add(415, 'Unsupported content type: send application/json');
  }
  if (policy.access !== 'public')
    add(401, 'No bearer token, or one that is expired, forged or from an untrusted issuer', {
      'WWW-Authenticate': { schema: { type: 'string' } },
    });
  if (policy.access === 'admin' || policy.own) add(403, policy.access === 'admin' ? 'Not staff' : 'The token acts for no customer');
  if (policy.own && policy.own.kind !== 'body' && policy.own.kind !== 'query') add(404, 'Not found, or not yours');
  if (params.length > 0) add(404, 'Not found');
  if (policy.method !== 'GET' && forwarded) {
    add(409, 'Conflict with the current state');
    add(422, 'Unprocessable request');
  }
  add(429, 'Too many requests', retryAfter);
  if (forwarded) {
    add(502, 'The service behind the gateway failed');
    add(503, 'The service behind the gateway is down; try again shortly', retryAfter);
    add(504, 'The service behind the gateway did not answer in time');
  }
  for (const [status, response] of Object.entries(responses))
    if (Number(status) < 400 && !response.description) response.description = 'OK';
  if (responses['201']) {
    responses['201'].description =
      responses['201'].description === 'Default Response' || !responses['201'].description ? 'Created' : responses['201'].description;
    responses['201'].headers = {
      ...responses['201'].headers,
      Location: { description: 'the path of what was created', schema: { type: 'string' } },
    };
  }
  for (const response of Object.values(responses) as Json[]) if (response.description === 'Default Response') response.description = 'OK';
  return op;
}

export function publicDocument(operations: DocumentedOperation[]): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const o of operations) {
    const path = toOpenApiPath(o.policy.path);
    paths[path] ??= {};
    paths[path][o.policy.method.toLowerCase()] = operation(o);
  }
  const sorted = Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b)));
  const schemas: Json = { Problem };
  for (const methods of Object.values(sorted)) {
    for (const op of Object.values(methods)) {
      for (const response of Object.values((op.responses ?? {}) as Json)) {
        for (const media of Object.values((response.content ?? {}) as Json)) if (media.schema) media.schema = named(media.schema, schemas);
      }
    }
  }
  const used = [
    ...new Set(Object.values(sorted).flatMap((methods) => Object.values(methods).flatMap((op) => (op.tags ?? []) as string[]))),
  ].sort();
  return {
    openapi: '3.1.0',
    info: DOCUMENT_INFO,
    servers: [{ url: '/', description: 'the gateway this document was read from (the only public entry)' }],
    tags: used.map((name) => ({ name, description: TAG_DESCRIPTIONS[name] ?? name })),
    paths: sorted,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'a token from POST /auth/login, or from the configured OpenID Connect issuer',
        },
      },
      schemas,
    },
  };
}

/**
 * Response schemas with a title (Flight, Reservation, Airport, ...) become named component schemas,
 * referred to by $ref wherever they appear; two different schemas with one title stay inline.
 */
function named(schema: Json, schemas: Json): Json {
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (node === null || typeof node !== 'object') return node;
    const inner = Object.fromEntries(Object.entries(node as Json).map(([k, v]) => [k, visit(v)]));
    const title = inner.title;
    if (inner.type !== 'object' || typeof title !== 'string' || !/^[A-Z][A-Za-z]*$/.test(title)) return inner;
    const known = schemas[title];
    if (known === undefined) schemas[title] = inner;
    else if (JSON.stringify(known) !== JSON.stringify(inner)) return inner;
    return { $ref: `#/components/schemas/${title}` };
  };
  return visit(schema) as Json;
}

/** The operation `method path` of a document (Fastify-syntax path). */
export const operationIn = (doc: OpenApiDocument | undefined, method: Method, path: string): Json | undefined =>
  doc?.paths[toOpenApiPath(path)]?.[method.toLowerCase()];
