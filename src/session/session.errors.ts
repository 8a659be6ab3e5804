import { AppError } from '../common/app-error';

/** Unknown, or purged RESULT_TTL_SECONDS after creation: the same answer on every session route. */
export function sessionNotFound(): AppError {
  return new AppError('SESSION_NOT_FOUND', 'No such session, or it was purged.');
}

export const bestShotNotFound = () => new AppError('BEST_SHOT_NOT_FOUND', 'Oz returned no best shot for this session.');
export const bestShotExpired = () => new AppError('BEST_SHOT_EXPIRED', 'The best shot is no longer held.');

/** docs/api.md §15: the session has no pending review (none, already decided, or decided again since it was read). */
export const reviewNotPending = () => new AppError('REVIEW_NOT_PENDING', 'This session has no pending review.');

export { storeUnavailable } from '../common/store-unavailable';
