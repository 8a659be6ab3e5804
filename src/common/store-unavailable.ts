import { AppError } from './app-error';

const STORE_RETRY_AFTER_SECONDS = 1;

/**
 * The shared store (Redis) did not answer in time or refused the command (docs/api.md §7). What
 * the client library said is not kept: a Redis error may quote the command and its arguments.
 */
export function storeUnavailable(): AppError {
  return new AppError('STORE_UNAVAILABLE', 'The session store did not answer; retry shortly.', { retryAfterSeconds: STORE_RETRY_AFTER_SECONDS });
}
