export * from './port.js';
export * from './pglite.js';
export * from './pglite-worker.js';
export * from './pipelined.js';
export * from './pg.js';
export * from './migrate.js';
export * from './per-transaction.js';
export * from './group-commit.js';
