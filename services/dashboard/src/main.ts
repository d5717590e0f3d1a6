// A dashboard process of the distributed runtime (environment: packages/service/src/process.ts). The
// rebuild reads the event log through the JetStream stream.
import { runServiceProcess } from '@airline/service';
import { dashboardService } from './index.js';

await runServiceProcess(dashboardService, ({ eventLog }) => ({ eventLog }), { port: 8085 });
