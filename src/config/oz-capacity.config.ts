import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { defineNamespace, type ValueOf } from './namespace';
import { ToInt } from './transforms';

/** Contract §13: one Oz capacity and one pace for every replica on REDIS_URL (or this process). */
class OzCapacityEnvironment {
  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(10_000)
  OZ_CAPACITY?: number;

  @IsOptional()
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(60_000)
  OZ_ANALYSES_PER_MINUTE?: number;

  @ToInt()
  @IsInt()
  @Min(0)
  @Max(600_000)
  OZ_QUEUE_TIMEOUT_MS = 15_000;
}

export const ozCapacityConfig = defineNamespace('ozCapacity', OzCapacityEnvironment, (env) => ({
  /** null: no deployment-wide limit, and no limiter on the path of an analysis at all. */
  capacity: env.OZ_CAPACITY ?? null,
  /** The least time between two analysis starts across the deployment; 0 = no pacing. */
  paceMs: env.OZ_ANALYSES_PER_MINUTE === undefined ? 0 : Math.ceil(60_000 / env.OZ_ANALYSES_PER_MINUTE),
  queueTimeoutMs: env.OZ_QUEUE_TIMEOUT_MS,
}));
export type OzCapacityConfig = ValueOf<typeof ozCapacityConfig>;
