export * from './problem.js';
export * from './app.js';
export * from './idempotency.js';
export { Type, type Static } from '@sinclair/typebox';
export * from './dates.js';
export { methodsOf } from './methods.js';
export * from './hal.js';
