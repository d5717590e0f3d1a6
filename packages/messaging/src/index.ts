export * from './port.js';
export * from './embedded.js';
export * from './jetstream.js';
