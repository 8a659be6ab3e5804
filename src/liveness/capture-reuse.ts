import { AppError } from '../common/app-error';
import { ozProblem } from '../common/oz-problems';
import type { OzApiError } from '../oz-api/oz-api.error';
import type { SessionRecord } from '../session/session.types';

/** Oz code 14 this close to the token's expiry is the token running out, not the container. */
const TOKEN_EXPIRY_MARGIN_MS = 60_000;
const OZ_INVALID_CONTAINER = 14;

/**
 * What Oz refusing a container means for the person (docs/api.md §18). Code 14 ("invalid
 * container") is also Oz's answer to a token it already used or that expired; when this session's
 * capture may have reached Oz before, or its token was about to expire, the person did nothing
 * wrong and is asked to capture again, not told the recording is invalid.
 */
export function containerRejection(error: OzApiError, session: Pick<SessionRecord, 'captureMayBeUsed' | 'expiresAt'>, now: Date): AppError {
  if (error.ozErrorCode !== OZ_INVALID_CONTAINER) return ozProblem(error);
  const nearExpiry = now.getTime() >= session.expiresAt.getTime() - TOKEN_EXPIRY_MARGIN_MS;
  if (!session.captureMayBeUsed && !nearExpiry) return ozProblem(error);
  return new AppError(
    'NEW_CAPTURE_REQUIRED',
    'Oz already used this capture, or its session token expired. Nothing was wrong with it: capture again in a new session.',
    {
      ozErrorCode: OZ_INVALID_CONTAINER,
    },
  );
}
