import { IsInt, Max, Min } from 'class-validator';
import { defineNamespace, type ValueOf } from './namespace';
import { ToInt } from './transforms';

/** Contract §8; 0 turns a limit off. */
class RateLimitsEnvironment {
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  RATE_LIMIT_SESSIONS_PER_MINUTE = 60;

  @ToInt()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  RATE_LIMIT_SUBJECT_SESSIONS_PER_HOUR = 10;
}

export const rateLimitsConfig = defineNamespace('rateLimits', RateLimitsEnvironment, (env) => ({
  sessionsPerAddressPerMinute: env.RATE_LIMIT_SESSIONS_PER_MINUTE,
  sessionsPerSubjectPerHour: env.RATE_LIMIT_SUBJECT_SESSIONS_PER_HOUR,
}));
export type RateLimitsConfig = ValueOf<typeof rateLimitsConfig>;
