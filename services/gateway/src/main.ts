// The gateway as its own process. Each upstream comes from `<SERVICE>_URL` (FLIGHT_URL,
// RESERVATION_URL, PAYMENT_URL, …: one per service of the routes table); a service without one is not routed.
import { runHttpProcess } from '@airline/service';
import { buildGateway, routes } from './index.js';

const upstreams: Record<string, string> = {};
for (const service of new Set(routes.map((r) => r.service))) {
  const url = process.env[`${service.toUpperCase().replace(/-/g, '_')}_URL`];
  if (url) upstreams[service] = url;
}

await runHttpProcess('gateway', () => buildGateway({ upstreams }), { port: 8088 });
