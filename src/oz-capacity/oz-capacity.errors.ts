import { AppError } from '../common/app-error';

export { storeUnavailable } from '../common/store-unavailable';

const RETRY_AFTER_SECONDS = 1;

/** No slot within OZ_QUEUE_TIMEOUT_MS (docs/api.md §13): Oz was not called, the session stays open. */
export function capacityTimedOut(): AppError {
  return new AppError('UPSTREAM_UNAVAILABLE', 'Oz is busy with the analyses of this deployment; retry shortly.', {
    retryAfterSeconds: RETRY_AFTER_SECONDS,
  });
}

/** The client went away while it waited: its place is given up, and this answer reaches no one. */
export function waitAbandoned(): AppError {
  return new AppError('UPSTREAM_UNAVAILABLE', 'The client left while waiting for Oz.', { retryAfterSeconds: RETRY_AFTER_SECONDS });
}

/** The replica is stopping (SIGTERM): its waiters leave at once, to retry on another replica. */
export function capacityStopping(): AppError {
  return new AppError('UPSTREAM_UNAVAILABLE', 'This replica is stopping; retry shortly.', { retryAfterSeconds: RETRY_AFTER_SECONDS });
}
