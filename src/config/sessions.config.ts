import { IsInt, Max, Min } from 'class-validator';
import { defineNamespace, type ValueOf } from './namespace';
import { ToInt } from './transforms';

const YEAR_SECONDS = 366 * 86_400;

class SessionsEnvironment {
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(YEAR_SECONDS)
  RESULT_TTL_SECONDS = 86_400;

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(YEAR_SECONDS)
  BEST_SHOT_TTL_SECONDS = 600;
}

export const sessionsConfig = defineNamespace('sessions', SessionsEnvironment, (env) => ({
  resultTtlSeconds: env.RESULT_TTL_SECONDS,
  bestShotTtlSeconds: env.BEST_SHOT_TTL_SECONDS,
}));
export type SessionsConfig = ValueOf<typeof sessionsConfig>;
