import { AppError } from '../common/app-error';

/** Unknown, or purged RESULT_TTL_SECONDS after creation: the same answer on every session route. */
export function sessionNotFound(): AppError {
  return new AppError('SESSION_NOT_FOUND', 'No such session, or it was purged.');
}
