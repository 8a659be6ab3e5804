import { IsIn, IsOptional } from 'class-validator';
import { defineNamespace, type ValueOf } from './namespace';

/**
 * Tracing is configured by the OpenTelemetry SDK's own OTEL_* variables (docs/api.md §9), which the
 * SDK reads itself. This decides whether to start it at all, before the application loads, and
 * checks the one choice the contract narrows: the exporter speaks OTLP over HTTP only.
 */
export interface TracingSettings {
  enabled: boolean;
  serviceName: string;
}

export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];
const protocolRule = { message: `must be one of ${OTLP_PROTOCOLS.join(', ')} (OTLP over HTTP)` };

/** The SDK would export over gRPC on `grpc`, or warn and fall back on anything else: both stop the start instead. */
class TracingEnvironment {
  @IsOptional()
  @IsIn(OTLP_PROTOCOLS, protocolRule)
  OTEL_EXPORTER_OTLP_PROTOCOL?: OtlpProtocol;

  @IsOptional()
  @IsIn(OTLP_PROTOCOLS, protocolRule)
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL?: OtlpProtocol;
}

/** The protocol the SDK exports traces with, as it resolves it (the SDK reads the variables itself). */
export const tracingConfig = defineNamespace('tracing', TracingEnvironment, (env) => ({
  protocol: env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
}));
export type TracingConfig = ValueOf<typeof tracingConfig>;

const validProtocol = (value: string | undefined) => !value || (OTLP_PROTOCOLS as readonly string[]).includes(value);

export function tracingSettings(env: NodeJS.ProcessEnv): TracingSettings {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const disabled = env.OTEL_SDK_DISABLED?.toLowerCase() === 'true' || env.OTEL_TRACES_EXPORTER?.toLowerCase() === 'none';
  // A protocol the configuration refuses never starts an exporter: the process stops at the check instead.
  const http = validProtocol(env.OTEL_EXPORTER_OTLP_PROTOCOL) && validProtocol(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL);
  return { enabled: Boolean(endpoint) && !disabled && http, serviceName: env.OTEL_SERVICE_NAME || 'oz-liveness-service' };
}
