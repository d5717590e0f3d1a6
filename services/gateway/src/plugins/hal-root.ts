// GET / and /profile for HAL clients (../hal-root.ts); browsers asking for / get the web UI.
import fp from 'fastify-plugin';
import { halEntryPoint } from '../hal-root.js';

export default fp(
  async (app) => {
    halEntryPoint(app);
  },
  { name: 'hal-root' },
);
