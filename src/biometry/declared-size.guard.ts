import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../common/app-error';
import { limitsConfig, type LimitsConfig } from '../config';

/** Room for the multipart framing around the reference: boundaries, part headers (a long filename), referenceType. */
export const FORM_OVERHEAD_BYTES = 64 * 1024;

/**
 * Contract §3: a body over its limit is refused from its Content-Length before any of it is read.
 * Multipart is streamed by the handler, so without this a client could declare a gigabyte and hold
 * the connection; a guard runs before the path pipes, keeping 413 ahead of 400 as §3 orders them.
 * A chunked body is stopped by the file-size limit of the form reader as soon as it is passed.
 */
@Injectable()
export class DeclaredSizeGuard implements CanActivate {
  constructor(@Inject(limitsConfig.KEY) private readonly limits: LimitsConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const declared = Number(context.switchToHttp().getRequest<FastifyRequest>().headers['content-length']);
    if (Number.isFinite(declared) && declared > this.limits.maxImageBytes + FORM_OVERHEAD_BYTES) {
      throw new AppError('PAYLOAD_TOO_LARGE', 'The form is larger than a reference image of MAX_IMAGE_BYTES can make it.');
    }
    return true;
  }
}
