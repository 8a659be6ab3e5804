import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { BodyLimits, payloadTooLarge } from '../admission/body-limits';
import { AppError } from '../common/app-error';
import type { ContainerBytes } from '../oz-api/oz-api.gateway';
import { type UploadReservation, UploadBudget } from './upload-budget';

/** A container as received: its chunks, its SHA-256 (to recognise a retry), and its hold on the budget. */
export interface ReceivedContainer extends ContainerBytes {
  readonly sha256: string;
  /** Gives its bytes back to the upload budget; call once the bytes are no longer needed. */
  release(): void;
}

/**
 * Receives a liveness body within MAX_CONTAINER_BYTES and MAX_INFLIGHT_UPLOAD_BYTES. Memory is
 * taken as bytes arrive, never reserved from the declared length (docs/api.md §1): the chunks are
 * kept as they came and hashed on the way, with no buffer allocated up front and no copy at the end.
 */
@Injectable()
export class ContainerReceiver {
  constructor(
    private readonly budget: UploadBudget,
    private readonly limits: BodyLimits,
  ) {}

  /** Refuses at once (503 SERVICE_BUSY, before reading) what would pass the budget. */
  async receive(body: Readable, declaredLength: number | null): Promise<ReceivedContainer> {
    const reservation = this.budget.reserve(declaredLength ?? 0);
    if (!reservation) throw serviceBusy();
    try {
      const { chunks, length, sha256 } = await read(body, declaredLength, this.limits.bytes('container'), reservation);
      return { chunks, length, sha256, release: () => reservation.release() };
    } catch (error) {
      reservation.release();
      throw error;
    }
  }
}

function read(
  body: Readable,
  declared: number | null,
  limit: number,
  reservation: UploadReservation,
): Promise<{ chunks: Buffer[]; length: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const chunks: Buffer[] = [];
    let received = 0;
    const stop = (error: AppError) => {
      body.removeListener('data', onData);
      body.removeListener('end', onEnd);
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      if (received + chunk.length > (declared ?? limit)) return stop(declared === null ? payloadTooLarge('container') : lengthMismatch());
      if (declared === null && !reservation.grow(chunk.length)) return stop(serviceBusy());
      hash.update(chunk);
      chunks.push(chunk);
      received += chunk.length;
    };
    const onEnd = () => {
      if (declared !== null && received !== declared) return stop(lengthMismatch());
      resolve({ chunks, length: received, sha256: hash.digest('hex') });
    };
    body.on('data', onData);
    body.on('end', onEnd);
    // A client that went away (or the request timeout) ends the stream with a plain Error: that is
    // an incomplete request, not a defect of ours to log with a stack.
    body.once('error', () => stop(incomplete()));
  });
}

const UPLOAD_RETRY_AFTER_SECONDS = 2;

/** Refused before (or, chunked, while) reading: the connection is closed so the rest is not read for nothing. */
function serviceBusy(): AppError {
  return new AppError('SERVICE_BUSY', 'Too many uploads are being received; retry shortly.', {
    retryAfterSeconds: UPLOAD_RETRY_AFTER_SECONDS,
    headers: { connection: 'close' },
  });
}

function incomplete(): AppError {
  return new AppError('VALIDATION_FAILED', 'The body was not received completely.');
}

function lengthMismatch(): AppError {
  return new AppError('VALIDATION_FAILED', 'The body does not match its Content-Length.');
}
