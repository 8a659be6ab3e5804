import { IsInt, Max, Min } from 'class-validator';
import { defineNamespace, type ValueOf } from './namespace';
import { AtLeastVariable } from './rules';
import { ToInt } from './transforms';

const GIB = 1024 ** 3;
/** Room for the multipart framing around a reference: boundaries, part headers (a long filename), referenceType. */
export const FORM_OVERHEAD_BYTES = 64 * 1024;
const FRAMING = "a reference form's framing";

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

  /** Below the largest container, or the largest reference form, no such body could ever be admitted (§16). */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(64 * GIB)
  @AtLeastVariable('MAX_CONTAINER_BYTES')
  @AtLeastVariable('MAX_IMAGE_BYTES', FORM_OVERHEAD_BYTES, FRAMING)
  MAX_INFLIGHT_UPLOAD_BYTES = 256 * 1024 * 1024;

  /** v1.2 (docs/api.md §16): one client address's share of the budget; below MAX_CONTAINER_BYTES no address could upload the largest container. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(64 * GIB)
  @AtLeastVariable('MAX_CONTAINER_BYTES')
  @AtLeastVariable('MAX_IMAGE_BYTES', FORM_OVERHEAD_BYTES, FRAMING)
  MAX_INFLIGHT_UPLOAD_BYTES_PER_ADDRESS = 64 * 1024 * 1024;

  /** v1.2: the slowest average body rate still accepted once a body has taken 10 s. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(GIB)
  MIN_UPLOAD_BYTES_PER_SECOND = 32 * 1024;

  /** v1.2: the largest reference image, width × height, read from its header before Oz sees it. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(2 ** 40)
  MAX_REFERENCE_PIXELS = 40_000_000;
}

export const limitsConfig = defineNamespace('limits', LimitsEnvironment, (env) => ({
  maxContainerBytes: env.MAX_CONTAINER_BYTES,
  maxImageBytes: env.MAX_IMAGE_BYTES,
  maxInflightUploadBytes: env.MAX_INFLIGHT_UPLOAD_BYTES,
  maxInflightUploadBytesPerAddress: env.MAX_INFLIGHT_UPLOAD_BYTES_PER_ADDRESS,
  minUploadBytesPerSecond: env.MIN_UPLOAD_BYTES_PER_SECOND,
  maxReferencePixels: env.MAX_REFERENCE_PIXELS,
}));
export type LimitsConfig = ValueOf<typeof limitsConfig>;
