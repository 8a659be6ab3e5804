import { IsInt, Max, Min } from 'class-validator';
import { defineNamespace, type ValueOf } from './namespace';
import { ToInt } from './transforms';

/** Failed attempts of vouched subjects (docs/api.md §14); ATTEMPT_LIMIT=0 turns the limit off. */
class AttemptsEnvironment {
  /** 5 after NIST SP 800-63B's limit on consecutive failed biometric attempts. */
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(1_000)
  ATTEMPT_LIMIT = 5;

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(366 * 86_400)
  ATTEMPT_WINDOW_SECONDS = 86_400;
}

export const attemptsConfig = defineNamespace('attempts', AttemptsEnvironment, (env) => ({
  limit: env.ATTEMPT_LIMIT,
  windowSeconds: env.ATTEMPT_WINDOW_SECONDS,
}));
export type AttemptsConfig = ValueOf<typeof attemptsConfig>;
