import { Logger } from '@nestjs/common';

const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * The process exits within SHUTDOWN_TIMEOUT_MS of SIGTERM (or SIGINT) whatever its dependencies
 * do (docs/api.md §18): the graceful close (readiness 503, requests in flight, webhook attempts,
 * Redis) runs first, and what it could not finish by then is left to the leases and queues that
 * outlive the process. A second signal ends it at once. Exit code 0 both ways: the process was
 * asked to stop and stopped, which is what an orchestrator and a rollout should read.
 */
export function armShutdownDeadline(timeoutMs: number, exit: (code: number) => void = (code) => process.exit(code)): () => void {
  const logger = new Logger('Shutdown');
  let timer: NodeJS.Timeout | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (timer) {
      logger.warn(`${signal} again while shutting down: exiting now`);
      return exit(0);
    }
    timer = setTimeout(() => {
      logger.warn(`the shutdown did not finish within SHUTDOWN_TIMEOUT_MS (${timeoutMs} ms): exiting; leases and queues take over what was left`);
      exit(0);
    }, timeoutMs);
    // The deadline must not be what keeps a process alive that has finished closing.
    timer.unref();
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return () => {
    if (timer) clearTimeout(timer);
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  };
}
