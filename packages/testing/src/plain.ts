// What scripts outside vitest (benchmarks) may import: the infrastructure helpers and HTTP clients, no assertions.
export * from './infra.js';
export * from './http.js';
