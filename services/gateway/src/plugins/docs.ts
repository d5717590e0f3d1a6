// The public API's documents: OpenAPI at /docs (Swagger UI), /docs/json and /openapi.json, AsyncAPI at
// /docs/asyncapi.json. The OpenAPI document is made when the gateway is ready (../openapi.ts), for the
// rows of the policy table served here: the schemas of the gateway's own endpoints are collected as they
// are declared (route-schemas, registered before them), those of forwarded routes come from each
// service's checked-in document (../api-documents.ts).
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { buildAsyncApiDocument } from '@airline/contracts';
import { checkedInDocuments, type ApiDocuments } from '../api-documents.js';
import { operationIn, publicDocument, type DocumentedOperation, type OpenApiDocument } from '../openapi.js';
import { policies, type Policy } from '../policy.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The OpenAPI document served at /docs/json (after ready). */
    openapi(): OpenApiDocument;
  }
}

/** Collects the schemas of the gateway's own routes; forwarded ones are documented from the services. */
export const routeSchemas = fp(
  async (app) => {
    await app.register(swagger, { openapi: { openapi: '3.1.0' } });
  },
  { name: 'route-schemas' },
);

export default fp<{ apiDocuments?: ApiDocuments | undefined }>(
  async (app, { apiDocuments }) => {
    let document: OpenApiDocument | undefined;
    app.addHook('onReady', async () => {
      const own = app.swagger() as unknown as OpenApiDocument;
      const { forwarded } = app;
      const ownOperations = policies.filter(
        (policy) => !forwarded.has(policy) && app.hasRoute({ method: policy.method, url: policy.path }),
      );
      const documents = apiDocuments ?? checkedInDocuments([...forwarded.values()].map((target) => target.service));
      const operation = (policy: Policy, source: DocumentedOperation['source'], isForwarded: boolean): DocumentedOperation => ({
        policy,
        forwarded: isForwarded,
        source,
        hasBody: policy.method === 'POST' || policy.method === 'PUT' || policy.method === 'PATCH',
      });
      // the gateway's own operations first, then the forwarded ones, each in the table's order
      document = publicDocument([
        ...ownOperations.map((policy) => operation(policy, operationIn(own, policy.method, policy.path), false)),
        ...[...forwarded].map(([policy, target]) =>
          operation(policy, operationIn(documents[target.service], policy.method, target.path), true),
        ),
      ]);
    });
    app.decorate('openapi', () => {
      if (!document) throw new Error('the OpenAPI document is made when the gateway is ready');
      return document;
    });
    const asyncapi = buildAsyncApiDocument();
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      transformSpecification: () => app.openapi(),
      transformSpecificationClone: false,
    });
    app.get('/docs/asyncapi.json', { schema: { hide: true } }, async () => asyncapi);
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.openapi());
  },
  { name: 'docs', dependencies: ['route-schemas', 'endpoints', 'proxy'] },
);
