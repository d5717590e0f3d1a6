import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `vite` (dev server) proxies the API to a running gateway (`npm start`, :8088); `vite build` writes
// ui/dist, which the gateway serves at / in both runtimes.
const gateway = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8088';
// everything the gateway answers; the UI's own pages live under / , /my/* and /staff/*, which no API uses
const apiPrefixes = [
  '/auth',
  '/flights',
  '/reservations',
  '/payments',
  '/sandbox',
  '/mileages',
  '/notifications',
  '/customerInfos',
  '/flightBoard',
  '/reservationHistory',
  '/dead-letters',
  '/docs',
  '/openapi.json',
  '/.well-known',
  '/health',
];

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: { proxy: Object.fromEntries(apiPrefixes.map((p) => [p, { target: gateway, changeOrigin: true }])) },
});
