export * from './envelope.js';
export * from './events.js';
export * from './validate.js';
export * from './factory.js';
export * from './asyncapi.js';
export * from './cards.js';
export * from './upcast.js';
export * from './display.js';
