import { AppError } from '../common/app-error';

/**
 * The refusals of a body while it is being received (docs/api.md §16). Each closes the
 * connection: the rest of the body is not read for nothing.
 */
const CLOSE = { connection: 'close' };

/** The whole budget is taken: another upload will fit as soon as one ends. */
export function uploadsBusy(): AppError {
  return new AppError('SERVICE_BUSY', 'Too many uploads are being received; retry shortly.', { retryAfterSeconds: 2, headers: CLOSE });
}

/** This address holds its share already: it is the caller's own uploads that must end first. */
export function addressShareExceeded(): AppError {
  return new AppError('RATE_LIMITED', 'Your uploads in progress hold your share of the upload budget; retry once one has ended.', {
    retryAfterSeconds: 5,
    headers: CLOSE,
  });
}

export function uploadTooSlow(minBytesPerSecond: number): AppError {
  return new AppError('REQUEST_TIMEOUT', `The body arrived slower than ${minBytesPerSecond} bytes a second; send it again on a faster link.`, {
    headers: CLOSE,
  });
}
