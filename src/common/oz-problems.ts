import { OzApiError } from '../oz-api/oz-api.error';
import { AppError } from './app-error';
import type { ProblemCode } from './problem-codes';

/**
 * The one table from Oz failures to problems (docs/api.md §3). It reads the operation the gateway
 * marked on the error: on the liveness route Oz's container codes are the client's errors, on
 * the biometry route Oz refusing the images is; everything else is upstream trouble.
 */
export function ozProblem(error: OzApiError): AppError {
  switch (error.operation) {
    case 'liveness':
      return livenessProblem(error);
    case 'biometry':
      return biometryProblem(error);
    default:
      return upstreamProblem(error);
  }
}

/** Container error codes of Oz (HTTP 400) and what the client is told. */
export const CONTAINER_ERRORS: ReadonlyMap<number, ProblemCode> = new Map([
  [13, 'CONTAINER_MISSING'],
  [14, 'CONTAINER_INVALID'],
  [3, 'CONTAINER_PAYLOAD_MISSING'],
  [4, 'CONTAINER_MEDIA_MISSING'],
  [5, 'CONTAINER_DAMAGED'],
] as [number, ProblemCode][]);

const CONTAINER_DETAILS: Partial<Record<ProblemCode, string>> = {
  CONTAINER_MISSING: 'Oz found no container in the request.',
  CONTAINER_INVALID: 'Oz could not open the container (damaged, or its session token expired or was reused). Start a new session.',
  CONTAINER_PAYLOAD_MISSING: 'The container carries no payload. Start a new session.',
  CONTAINER_MEDIA_MISSING: 'The container carries no media. Start a new session.',
  CONTAINER_DAMAGED: 'The container is damaged. Start a new session.',
};

const RETRY_AFTER_SECONDS = 1;

/** True for the only Oz answers that fail a liveness session for good: 400 with a container code. */
export function isContainerRejection(error: OzApiError): boolean {
  return error.isContainerRejection;
}

/** The liveness route: container codes become client errors; any other 4xx is our problem (502). */
export function livenessProblem(error: OzApiError): AppError {
  if (error.isContainerRejection) {
    const code = CONTAINER_ERRORS.get(error.ozErrorCode as number) as ProblemCode;
    return new AppError(code, CONTAINER_DETAILS[code] as string, { ozErrorCode: error.ozErrorCode });
  }
  return upstreamProblem(error);
}

/** The biometry route: Oz refusing the images is the caller's problem, except Oz auth errors. */
export function biometryProblem(error: OzApiError): AppError {
  if (error.kind === 'rejected' && !error.isAuthRefusal) {
    return new AppError('REFERENCE_INVALID', 'Oz could not compare the reference image with the best shot.', {
      ozErrorCode: error.ozErrorCode,
    });
  }
  return upstreamProblem(error);
}

/**
 * At OZ_MAX_CONCURRENCY. Refused before a body was read, the connection is closed so that the
 * rest of an upload the client is still sending is not read for nothing.
 */
export function saturatedProblem(options: { closeConnection?: boolean } = {}): AppError {
  return new AppError('UPSTREAM_UNAVAILABLE', 'Too many analyses are running; retry shortly.', {
    retryAfterSeconds: RETRY_AFTER_SECONDS,
    headers: options.closeConnection ? { connection: 'close' } : {},
  });
}

/** Upstream trouble of any route. Details are ours; nothing of the Oz body but its code is echoed. */
export function upstreamProblem(error: OzApiError): AppError {
  const ozErrorCode = error.ozErrorCode;
  switch (error.kind) {
    case 'rejected':
      return new AppError('UPSTREAM_ERROR', 'Oz refused the request of this service.', { ozErrorCode, retryable: false });
    case 'server':
      return new AppError('UPSTREAM_ERROR', 'Oz failed to process the request.', { ozErrorCode });
    case 'reset':
      return new AppError('UPSTREAM_ERROR', 'Oz closed the connection without answering.');
    case 'bad-response':
      return new AppError('UPSTREAM_ERROR', 'Oz sent an unreadable or incomplete answer.', { ozErrorCode });
    case 'timeout':
      return new AppError('UPSTREAM_TIMEOUT', 'Oz did not answer in time.');
    case 'unreachable':
      return new AppError('UPSTREAM_UNAVAILABLE', 'Oz could not be reached.', { retryAfterSeconds: RETRY_AFTER_SECONDS });
    case 'saturated':
      return saturatedProblem();
  }
}
