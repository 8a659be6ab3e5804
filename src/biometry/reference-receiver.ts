import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { BodyLimits } from '../admission/body-limits';
import { declaredLengthOf } from '../admission/route-policy';
import type { AppError } from '../common/app-error';
import { UploadMeters } from '../admission/upload-meter';
import { type ReferenceForm, readReferenceForm } from './reference-form';

/** A reference form as received, with its hold on the upload budget. */
export interface ReceivedReference extends ReferenceForm {
  /** Gives the form's bytes back to the upload budget; call once the reference is no longer needed. */
  release(): void;
}

/**
 * Reads the biometry form within the upload budget (docs/api.md §16): the form's bytes, multipart
 * framing included, are counted as they arrive off the socket (its declared length, when it has
 * one, before any of it is read), against the caller's share and the minimum rate, and stay
 * counted until the Oz call that needs the reference is over.
 */
@Injectable()
export class ReferenceReceiver {
  constructor(
    private readonly meters: UploadMeters,
    private readonly limits: BodyLimits,
  ) {}

  async receive(request: FastifyRequest): Promise<ReceivedReference> {
    let cut: (error: AppError) => void = () => undefined;
    const refused = new Promise<never>((_, reject) => (cut = reject));
    const meter = this.meters.open(request.ip, declaredLengthOf(request.headers), (error) => cut(error));
    // The form reader pipes the body into the multipart parser synchronously, before this listener
    // is added: both see every chunk, none is lost.
    const reading = readReferenceForm(request, this.limits.maxImageBytes);
    reading.catch(() => undefined);
    const onData = (chunk: Buffer) => {
      const refusal = meter.arrived(chunk.length);
      if (refusal) cut(refusal);
    };
    request.raw.on('data', onData);
    try {
      const form = await Promise.race([reading, refused]);
      meter.finished();
      return { ...form, release: () => meter.release() };
    } catch (error) {
      meter.release();
      // Refused while arriving: the parser gets nothing more of it (the connection closes after the answer).
      request.raw.unpipe();
      throw error;
    } finally {
      request.raw.removeListener('data', onData);
    }
  }
}
