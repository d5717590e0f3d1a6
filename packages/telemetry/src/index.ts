// Traces (OpenTelemetry) and the logging setup every process shares.
export * from './tracing.js';
export * from './logging.js';
