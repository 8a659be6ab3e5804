import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { AppError } from '../common/app-error';

/** The container as received, with its SHA-256 (to recognise a client retry of the same bytes). */
export interface ContainerBody {
  bytes: Buffer;
  sha256: string;
}

export function containerBodyOf(bytes: Buffer): ContainerBody {
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * Reads an octet-stream body into one buffer, hashing it on the way. With a Content-Length the
 * buffer is allocated once and chunks are copied in as they arrive, so there is no second full
 * copy at the end and no moment with the body twice in memory; chunked bodies are gathered. A
 * declared length over `limit` is refused before anything is read, a chunked body as soon as it
 * passes the limit (contract §3, 413).
 */
export function readContainerBody(payload: Readable, declaredLength: string | undefined, limit: number): Promise<ContainerBody> {
  const declared = declaredLength === undefined ? null : Number(declaredLength);
  if (declared !== null && declared > limit) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const target = declared !== null ? Buffer.allocUnsafe(declared) : null;
    const chunks: Buffer[] = [];
    let received = 0;
    const stop = (error: Error) => {
      payload.removeListener('data', onData);
      payload.removeListener('end', onEnd);
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      if (received + chunk.length > (declared ?? limit)) return stop(declared === null ? tooLarge() : lengthMismatch());
      hash.update(chunk);
      if (target) chunk.copy(target, received);
      else chunks.push(chunk);
      received += chunk.length;
    };
    const onEnd = () => {
      if (declared !== null && received !== declared) return stop(lengthMismatch());
      resolve({ bytes: target ?? Buffer.concat(chunks, received), sha256: hash.digest('hex') });
    };
    payload.on('data', onData);
    payload.on('end', onEnd);
    // A client that went away (or the request timeout) ends the stream with a plain Error: that is
    // an incomplete request, not a defect of ours to log with a stack.
    payload.once('error', () => stop(incomplete()));
  });
}

function tooLarge(): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', 'The container is over MAX_CONTAINER_BYTES.');
}

function incomplete(): AppError {
  return new AppError('VALIDATION_FAILED', 'The body was not received completely.');
}

function lengthMismatch(): AppError {
  return new AppError('VALIDATION_FAILED', 'The body does not match its Content-Length.');
}
