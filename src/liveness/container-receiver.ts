import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { BodyLimits, payloadTooLarge } from '../admission/body-limits';
import { type UploadMeter, UploadMeters } from '../admission/upload-meter';
import { AppError } from '../common/app-error';
import type { ContainerBytes } from '../oz-api/oz-api.gateway';

/** A container as received: its chunks, its SHA-256 (to recognise a retry), and its hold on the budget. */
export interface ReceivedContainer extends ContainerBytes {
  readonly sha256: string;
  /** Gives its bytes back to the upload budget; call once the bytes are no longer needed. */
  release(): void;
}

/**
 * Receives a liveness body within MAX_CONTAINER_BYTES, the upload budget and its minimum rate
 * (docs/api.md §1, §16). Memory is taken as bytes arrive, never reserved from the declared
 * length: the chunks are kept as they came and hashed on the way, with no buffer allocated up
 * front and no copy at the end.
 */
@Injectable()
export class ContainerReceiver {
  constructor(
    private readonly meters: UploadMeters,
    private readonly limits: BodyLimits,
  ) {}

  /** Refuses at once (429 or 503, before reading) what would pass the budget. */
  receive(body: Readable, declaredLength: number | null, address: string): Promise<ReceivedContainer> {
    return new Promise((resolve, reject) => {
      let stop: (error: AppError) => void = reject;
      const meter = this.meters.open(address, declaredLength, (error) => stop(error));
      stop = read(body, declaredLength, this.limits.bytes('container'), meter, {
        resolve: (received) => resolve({ ...received, release: () => meter.release() }),
        reject: (error) => {
          meter.release();
          reject(error);
        },
      });
    });
  }
}

interface Received {
  chunks: Buffer[];
  length: number;
  sha256: string;
}

/** Reads the body; returns how to stop it from outside (the meter's rate rule). */
function read(
  body: Readable,
  declared: number | null,
  limit: number,
  meter: UploadMeter,
  outcome: { resolve(received: Received): void; reject(error: AppError): void },
): (error: AppError) => void {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let received = 0;
  const stop = (error: AppError) => {
    body.removeListener('data', onData);
    body.removeListener('end', onEnd);
    outcome.reject(error);
  };
  const onData = (chunk: Buffer) => {
    if (received + chunk.length > (declared ?? limit)) return stop(declared === null ? payloadTooLarge('container') : lengthMismatch());
    const refusal = meter.arrived(chunk.length);
    if (refusal) return stop(refusal);
    hash.update(chunk);
    chunks.push(chunk);
    received += chunk.length;
  };
  const onEnd = () => {
    if (declared !== null && received !== declared) return stop(lengthMismatch());
    meter.finished();
    outcome.resolve({ chunks, length: received, sha256: hash.digest('hex') });
  };
  body.on('data', onData);
  body.on('end', onEnd);
  // A client that went away (or the request timeout) ends the stream with a plain Error: that is
  // an incomplete request, not a defect of ours to log with a stack.
  body.once('error', () => stop(incomplete()));
  return stop;
}

function incomplete(): AppError {
  return new AppError('VALIDATION_FAILED', 'The body was not received completely.');
}

function lengthMismatch(): AppError {
  return new AppError('VALIDATION_FAILED', 'The body does not match its Content-Length.');
}
