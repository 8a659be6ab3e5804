import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { FORM_OVERHEAD_BYTES, limitsConfig, type LimitsConfig } from '../config';
import type { BodyLimit } from './route-policy';

/** Small JSON bodies only: the one JSON route takes `{"subjectId": ...}`. */
export const JSON_BODY_LIMIT = 16 * 1024;

const WHAT: Record<BodyLimit, string> = {
  container: 'The container is over MAX_CONTAINER_BYTES.',
  'reference-form': 'The form is larger than a reference image of MAX_IMAGE_BYTES can make it.',
  json: 'The request body is over its size limit.',
};

/**
 * The one place that knows how large each kind of body may be and how a body over its limit is
 * refused (413): admission refuses a declared length, the readers a chunked body the moment it
 * passes the same limit (docs/api.md §3).
 */
@Injectable()
export class BodyLimits {
  constructor(@Inject(limitsConfig.KEY) private readonly limits: LimitsConfig) {}

  bytes(limit: BodyLimit): number {
    switch (limit) {
      case 'container':
        return this.limits.maxContainerBytes;
      case 'reference-form':
        return this.limits.maxImageBytes + FORM_OVERHEAD_BYTES;
      case 'json':
        return JSON_BODY_LIMIT;
    }
  }

  get maxImageBytes(): number {
    return this.limits.maxImageBytes;
  }
}

export function payloadTooLarge(limit: BodyLimit | 'reference-image'): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', limit === 'reference-image' ? 'The reference image is over MAX_IMAGE_BYTES.' : WHAT[limit]);
}
