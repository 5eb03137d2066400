// OpenTelemetry for the apps, without NestJS: providers, exporters and W3C trace context.
export * from './telemetry';
export * from './trace-context';
