// The public API's root resource for HAL clients (Spring Data REST's entry point): `GET /` with
// `Accept: application/hal+json` lists the collections; a browser asking for `/` still gets the web UI.
// `GET /profile` likewise. The collections' own answers come from the services (HAL when asked for).
import type { FastifyInstance } from 'fastify';
import { HAL_JSON, halProfile, halRoot, wantsHal } from '@airline/http';

/** The public collections, rel → path. */
export const publicCollections = {
  flights: '/flights',
  reservations: '/reservations',
  payments: '/payments',
  notifications: '/notifications',
  customerInfos: '/customerInfos',
  flightBoard: '/flightBoard',
  reservationHistory: '/reservationHistory',
};

export function halEntryPoint(app: FastifyInstance) {
  const root = JSON.stringify(halRoot(publicCollections));
  const profile = JSON.stringify(halProfile(publicCollections));
  app.addHook('onRequest', async (req, reply) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !wantsHal(req.headers.accept)) return;
    const path = req.url.split('?')[0];
    const body = path === '/' ? root : path === '/profile' ? profile : undefined;
    if (body === undefined) return;
    return reply.header('vary', 'accept').type(`${HAL_JSON}; charset=utf-8`).send(body);
  });
}
