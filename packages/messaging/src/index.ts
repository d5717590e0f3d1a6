export * from './port.js';
export * from './embedded.js';
