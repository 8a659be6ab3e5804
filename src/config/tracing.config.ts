/**
 * Tracing is configured by the OpenTelemetry SDK's own OTEL_* variables (docs/api.md §9), which the
 * SDK reads itself; this only decides whether to start it at all, before the application loads.
 */
export interface TracingSettings {
  enabled: boolean;
  serviceName: string;
}

export function tracingSettings(env: NodeJS.ProcessEnv): TracingSettings {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const disabled = env.OTEL_SDK_DISABLED?.toLowerCase() === 'true' || env.OTEL_TRACES_EXPORTER?.toLowerCase() === 'none';
  return { enabled: Boolean(endpoint) && !disabled, serviceName: env.OTEL_SERVICE_NAME || 'oz-liveness-service' };
}
