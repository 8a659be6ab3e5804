import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * promtool's lint refuses a `_total` suffix on a gauge; these three are the sums of the
 * `nodejs_active_handles`, `nodejs_active_requests` and `nodejs_active_resources` gauges by type,
 * which stay.
 */
const REFUSED_BY_PROMTOOL = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

let shared: Registry | null = null;

/**
 * The Node client's default process_* and nodejs_* metrics. They describe the process, so they are
 * collected once per process and merged into every service registry: each collection starts a GC
 * observer and an event-loop monitor that nothing stops, and tests run many apps in one process.
 */
export function processMetrics(): Registry {
  if (!shared) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared });
    for (const name of REFUSED_BY_PROMTOOL) shared.removeSingleMetric(name);
  }
  return shared;
}
