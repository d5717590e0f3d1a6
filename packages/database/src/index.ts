export * from './port.js';
export * from './pglite.js';
export * from './migrate.js';
