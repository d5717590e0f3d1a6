// The web UI at / (../ui.ts), registered after the API: its catch-all never shadows an API route, and
// a browser's / is answered by it unless a HAL client asked (hal-root).
import fp from 'fastify-plugin';
import { webUi, type WebUiOptions } from '../ui.js';

export default fp<WebUiOptions>(webUi, { name: 'web-ui', encapsulate: true, dependencies: ['endpoints', 'proxy', 'docs', 'hal-root'] });
