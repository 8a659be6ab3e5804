import { registerAs } from '@nestjs/config';
import { IsInt, Max, Min } from 'class-validator';
import { readEnvironment, registerEnvironmentClass } from './environment';
import { ToInt } from './transforms';

const GIB = 1024 ** 3;

class LimitsEnvironment {
  @ToInt() @IsInt() @Min(1) @Max(GIB)
  MAX_CONTAINER_BYTES = 20 * 1024 * 1024;

  @ToInt() @IsInt() @Min(1) @Max(GIB)
  MAX_IMAGE_BYTES = 10 * 1024 * 1024;
}
registerEnvironmentClass(LimitsEnvironment);

export const limitsConfig = registerAs('limits', () => {
  const env = readEnvironment(LimitsEnvironment);
  return { maxContainerBytes: env.MAX_CONTAINER_BYTES, maxImageBytes: env.MAX_IMAGE_BYTES };
});
export type LimitsConfig = ReturnType<typeof limitsConfig>;
