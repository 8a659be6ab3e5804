import { IsInt, Max, Min } from 'class-validator';
import { defineNamespace, type ValueOf } from './namespace';
import { AtLeastVariable } from './rules';
import { ToInt } from './transforms';

const GIB = 1024 ** 3;

class LimitsEnvironment {
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(GIB)
  MAX_CONTAINER_BYTES = 20 * 1024 * 1024;

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(GIB)
  MAX_IMAGE_BYTES = 10 * 1024 * 1024;

  /** Below MAX_CONTAINER_BYTES no upload of the largest allowed size could ever be admitted. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(64 * GIB)
  @AtLeastVariable('MAX_CONTAINER_BYTES')
  MAX_INFLIGHT_UPLOAD_BYTES = 256 * 1024 * 1024;
}

export const limitsConfig = defineNamespace('limits', LimitsEnvironment, (env) => ({
  maxContainerBytes: env.MAX_CONTAINER_BYTES,
  maxImageBytes: env.MAX_IMAGE_BYTES,
  maxInflightUploadBytes: env.MAX_INFLIGHT_UPLOAD_BYTES,
}));
export type LimitsConfig = ValueOf<typeof limitsConfig>;
