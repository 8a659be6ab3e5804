import { AppError } from '../common/app-error';

/** GET /v1/reviews: a `cursor` that is not exactly one this service gave (docs/api.md §15). */
export const cursorInvalid = () => new AppError('VALIDATION_FAILED', 'cursor is not a cursor this service gave.');
