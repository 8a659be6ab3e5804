import { AppError } from '../common/app-error';

/** A vouched subject used up its failed attempts (docs/api.md §14); Retry-After says when the lock ends. */
export function attemptsExhausted(lockedUntil: Date, now: Date): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000));
  return new AppError('ATTEMPTS_EXHAUSTED', 'This person has no verification attempts left for now; retry later.', { retryAfterSeconds });
}
