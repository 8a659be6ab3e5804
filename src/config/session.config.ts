import { registerAs } from '@nestjs/config';
import { IsInt, Max, Min } from 'class-validator';
import { readEnvironment, registerEnvironmentClass } from './environment';
import { ToInt } from './transforms';

const YEAR_SECONDS = 366 * 86_400;

class SessionEnvironment {
  @ToInt() @IsInt() @Min(1) @Max(YEAR_SECONDS)
  RESULT_TTL_SECONDS = 86_400;

  @ToInt() @IsInt() @Min(1) @Max(YEAR_SECONDS)
  BEST_SHOT_TTL_SECONDS = 600;
}
registerEnvironmentClass(SessionEnvironment);

export const sessionConfig = registerAs('session', () => {
  const env = readEnvironment(SessionEnvironment);
  return { resultTtlSeconds: env.RESULT_TTL_SECONDS, bestShotTtlSeconds: env.BEST_SHOT_TTL_SECONDS };
});
export type SessionConfig = ReturnType<typeof sessionConfig>;
