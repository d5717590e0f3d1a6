// The web UI at / (ui/dist, built by `npm run build:ui`), in both runtimes. The API keeps priority:
// its routes are static prefixes (/flights, /flights/*, ...), which win over this catch-all. Page
// paths (no file extension) that a browser navigates to get index.html, so a reload on
// /my/bookings/12 works (SPA fallback); anything else that is not a file stays a problem+json 404.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface WebUiOptions {
  /** The built UI; default UI_DIR, else ui/dist of this repository. */
  root?: string;
}

export const defaultUiRoot = () => process.env.UI_DIR ?? fileURLToPath(new URL('../../../ui/dist', import.meta.url));

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Airline</title>
<body><h1>The web UI is not built</h1><p>Run <code>npm run build:ui</code> (or <code>npm install</code>) and reload. The API is up.</p></body></html>`;

const wantsPage = (req: FastifyRequest) => (req.headers.accept ?? '').includes('text/html');

export async function webUi(app: FastifyInstance, options: WebUiOptions = {}) {
  const root = options.root ?? defaultUiRoot();
  if (!existsSync(join(root, 'index.html'))) {
    app.log.warn({ root }, 'web UI not built: run npm run build:ui');
    app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.status(503).type('text/html; charset=utf-8').send(NOT_BUILT));
    return;
  }
  // serve: false — only reply.sendFile; the route below decides what is a file and what is a page
  await app.register(fastifyStatic, { root, serve: false });

  const page = (reply: FastifyReply) => reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });

  app.get('/*', { schema: { hide: true } }, (req: FastifyRequest<{ Params: { '*': string } }>, reply) => {
    const path = req.params['*'] ?? '';
    if (path.split('/').some((segment) => segment === '..' || segment.startsWith('.')) || path.includes('\0')) return reply.callNotFound();
    if (path === '' || path === 'index.html') return page(reply);
    const isFile = /\.[A-Za-z0-9]+$/.test(path);
    if (isFile) {
      // hashed bundle names never change content: cache them for good; anything else revalidates
      return path.startsWith('assets/') ? reply.sendFile(path, { maxAge: '365d', immutable: true }) : reply.sendFile(path, { maxAge: 0 });
    }
    return wantsPage(req) ? page(reply) : reply.callNotFound();
  });
}
