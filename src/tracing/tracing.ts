import type { TracingSettings } from '../config';
import type { StartedTracing } from './sdk';

/** A collector that does not answer must not hold a stopping replica past its grace period. */
const FLUSH_LIMIT_MS = 5_000;

let started: StartedTracing | null = null;

/**
 * Starts the OpenTelemetry SDK when an OTLP endpoint is configured (docs/api.md §9), before the
 * application is loaded, so that its instrumentations see `http` and undici first. When tracing
 * is off, nothing of the SDK is even loaded: no instrumentation, no propagation, no cost.
 */
export function startTracing(settings: TracingSettings): void {
  if (!settings.enabled || started) return;
  // A conditional, synchronous load: the SDK must be in place before the next import of main.ts,
  // and must not be loaded at all when tracing is off.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startSdk } = require('./sdk') as typeof import('./sdk');
  started = startSdk(settings);
}

export function tracingActive(): boolean {
  return started !== null;
}

/** Flushes the spans still queued and stops the SDK; at most FLUSH_LIMIT_MS. */
export async function stopTracing(): Promise<void> {
  const sdk = started;
  if (!sdk) return;
  started = null;
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, FLUSH_LIMIT_MS).unref()));
  await Promise.race([sdk.shutdown().catch(() => undefined), limit]);
  clearTimeout(timer);
}
