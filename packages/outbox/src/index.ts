export * from './schema.js';
export * from './outbox.js';
export * from './consumer.js';
export * from './dead-letters.js';
export * from './pass-loop.js';
