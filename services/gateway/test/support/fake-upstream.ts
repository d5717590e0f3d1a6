// A stand-in for the services behind the gateway, for specs about the gateway alone: it answers every
// request with what it received, and serves reservations of a fixed customer.
import Fastify from 'fastify';

export interface Received {
  method: string;
  url: string;
  body: unknown;
  idempotencyKey?: string;
}

export async function fakeUpstream(options: { reservationOwner?: number } = {}) {
  const app = Fastify();
  const received: Received[] = [];
  app.get('/reservations/:id', async (req) => ({
    id: Number((req.params as { id: string }).id),
    customerId: options.reservationOwner ?? 7,
  }));
  app.all('/*', async (req, reply) => {
    const r: Received = {
      method: req.method,
      url: req.url,
      body: req.body,
      idempotencyKey: req.headers['idempotency-key'] as string | undefined,
    };
    received.push(r);
    reply.status(req.method === 'POST' ? 201 : 200);
    return r;
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
  return { url, received, close: () => app.close() };
}
