import { IsInt, Min } from 'class-validator';
import { defineNamespace, type ValueOf } from './namespace';
import { ToInt } from './transforms';

class ShutdownEnvironment {
  /** The longest a SIGTERM'd process takes to exit, whatever its dependencies do (docs/api.md §18). */
  @ToInt()
  @IsInt()
  @Min(1)
  SHUTDOWN_TIMEOUT_MS = 30_000;
}

export const shutdownConfig = defineNamespace('shutdown', ShutdownEnvironment, (env) => ({ timeoutMs: env.SHUTDOWN_TIMEOUT_MS }));
export type ShutdownConfig = ValueOf<typeof shutdownConfig>;
