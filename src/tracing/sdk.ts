import type { IncomingMessage } from 'node:http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation, type UndiciRequest } from '@opentelemetry/instrumentation-undici';
import { core, NodeSDK } from '@opentelemetry/sdk-node';
import { ATTR_URL_FULL, ATTR_URL_QUERY } from '@opentelemetry/semantic-conventions';
import type { TracingSettings } from '../config';

/** What a started SDK leaves behind: the one handle the rest of the service needs. */
export interface StartedTracing {
  shutdown(): Promise<void>;
}

/** Probes and scrapes, every few seconds from every replica: a trace each would drown the rest. */
const UNTRACED_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);
/** No route of the service reads a query, and one could carry what must never leave (a token). */
const REDACTED = 'REDACTED';

/**
 * The SDK with traces only, exported over OTLP as its OTEL_* variables say (`http/protobuf` by
 * default, `http/json` on request). Spans come from two instrumentations: `http` for the SERVER
 * span of each request (the route template is added by `traceRoutes`), undici for the CLIENT span
 * of each call to Oz, which also carries `traceparent`. Neither records headers unless told to,
 * and queries are redacted.
 */
export function startSdk(settings: TracingSettings): StartedTracing {
  const sdk = new NodeSDK({
    serviceName: settings.serviceName,
    instrumentations: [
      new HttpInstrumentation({
        // Calls to Oz (and webhooks) go through undici; the exporter's own requests need no span.
        disableOutgoingRequestInstrumentation: true,
        ignoreIncomingRequestHook: (request) => UNTRACED_PATHS.has(pathOf(request.url)),
        startIncomingSpanHook: (request: IncomingMessage) => (request.url?.includes('?') ? { [ATTR_URL_QUERY]: REDACTED } : {}),
      }),
      new UndiciInstrumentation({ startSpanHook: redactedOutgoingQuery }),
    ],
    // W3C trace context only: baggage a public caller sent is not passed on to Oz.
    textMapPropagator: new core.W3CTraceContextPropagator(),
    // No metrics and no logs through the SDK: metrics are Prometheus' (src/metrics), logs are pino's.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  return sdk;
}

function pathOf(url: string | undefined): string {
  return (url ?? '/').split('?', 1)[0];
}

function redactedOutgoingQuery(request: UndiciRequest): Record<string, string> {
  const query = request.path.indexOf('?');
  if (query < 0) return {};
  return { [ATTR_URL_QUERY]: REDACTED, [ATTR_URL_FULL]: `${request.origin}${request.path.slice(0, query)}?${REDACTED}` };
}
