import { isSpanContextValid, trace } from '@opentelemetry/api';
import { tracingActive } from './tracing';

export type LogMixin = () => Record<string, string>;

/**
 * A pino mixin that writes the `trace_id` and `span_id` of the active span into every line
 * written during a request; undefined when tracing is off, so that no line pays for a lookup.
 */
export function traceLogMixin(): LogMixin | undefined {
  if (!tracingActive()) return undefined;
  return (): Record<string, string> => {
    const context = trace.getActiveSpan()?.spanContext();
    return context && isSpanContextValid(context) ? { trace_id: context.traceId, span_id: context.spanId } : {};
  };
}
