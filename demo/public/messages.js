// @ts-check
/**
 * What to tell a customer about each answer of the verification service: its decisions
 * (contract §4) and its problem codes (§3). Every problem ends in one of four pieces of advice:
 *  - retry:     the same request may succeed later (the service says `retryable: true`);
 *  - restart:   this session cannot be used any more, a new one is needed;
 *  - recapture: nothing was wrong with the recording, but it must be made again (§18);
 *  - support: something the customer cannot fix (a defect, or a setup error of ours).
 * The words are the page's; the decision and the code are always the service's.
 */

export const DECISIONS = {
  accepted: 'You are verified. You can continue.',
  rejected: 'We could not confirm that it was you in front of the camera. Please start the verification again.',
  inconclusive: 'We could not finish the check. Please start the verification again; if this happens again, contact support.',
};

const ADVICE = {
  retry: 'Please try again in a moment.',
  later: 'You can try again later, or contact support if you need help sooner.',
  restart: 'Please start the verification again.',
  recapture: 'Please record yourself once more; it only takes a moment.',
  support: 'Please contact support and give them the reference below.',
};

/** @type {Record<string, [keyof typeof ADVICE, string]>} */
const PROBLEMS = {
  VALIDATION_FAILED: ['support', 'Our page sent something the service could not accept.'],
  CONTAINER_MISSING: ['restart', 'The recording was empty.'],
  UNAUTHORIZED: ['restart', 'This check could not be matched to the session you started.'],
  SESSION_NOT_FOUND: ['restart', 'Your session was not found; it may have been closed.'],
  SESSION_ALREADY_USED: ['restart', 'This session was already used for another recording.'],
  SESSION_IN_PROGRESS: ['retry', 'Your recording is still being checked.'],
  SESSION_EXPIRED: ['restart', 'The session timed out before the recording arrived.'],
  RATE_LIMITED: ['retry', 'There were too many attempts in a short time.'],
  ATTEMPTS_EXHAUSTED: ['later', 'You have used all your attempts for now, to protect your account.'],
  PAYLOAD_TOO_LARGE: ['support', 'The recording was too large to send.'],
  UNSUPPORTED_MEDIA_TYPE: ['support', 'Our page sent the recording in a form the service does not take.'],
  CONTAINER_INVALID: ['restart', 'The recording could not be verified as genuine, or it belonged to an older session.'],
  CONTAINER_PAYLOAD_MISSING: ['restart', 'The recording was incomplete.'],
  CONTAINER_MEDIA_MISSING: ['restart', 'The recording contained no video.'],
  CONTAINER_DAMAGED: ['restart', 'The recording was damaged on its way.'],
  NEW_CAPTURE_REQUIRED: ['recapture', 'Nothing was wrong with your recording, but our checking system could not finish with it.'],
  UPSTREAM_ERROR: ['retry', 'The checking system had a problem.'],
  UPSTREAM_UNAVAILABLE: ['retry', 'The checking system is busy or out of reach.'],
  UPSTREAM_TIMEOUT: ['retry', 'The checking system took too long to answer.'],
  STORE_UNAVAILABLE: ['retry', 'The service could not reach its storage.'],
  SERVICE_BUSY: ['retry', 'The service is busy.'],
  INTERNAL_ERROR: ['support', 'Something went wrong on our side.'],
  // Internal routes only (the "internal service" panel): a customer never gets these.
  BEST_SHOT_NOT_FOUND: ['support', 'No face image was kept from the recording.'],
  BEST_SHOT_EXPIRED: ['restart', 'The face image of the recording is no longer kept.'],
  LIVENESS_NOT_ACCEPTED: ['restart', 'A face match needs an accepted liveness check first.'],
  REFERENCE_INVALID: ['support', 'The reference photo could not be used.'],
};

/**
 * One sentence for a problem+json body. A code we do not know, or a retryable code that the
 * service marked as not retryable this time (e.g. UPSTREAM_ERROR from a setup error), ends in support.
 * @param {{ code?: string, retryable?: boolean }} problem
 */
export function problemSentence(problem) {
  const [advice, what] = PROBLEMS[problem.code ?? ''] ?? ['support', 'Something unexpected happened.'];
  const fitting = advice === 'retry' && problem.retryable !== true ? 'support' : advice;
  return `${what} ${ADVICE[fitting]}`;
}

/**
 * How many tries a person the company vouched for has left (the answer's `attemptsRemaining`);
 * nothing for an anonymous session (null) or an accepted check.
 * @param {unknown} remaining
 */
export function attemptsSentence(remaining) {
  if (typeof remaining !== 'number') return '';
  if (remaining === 0) return 'You have no attempts left for now; you can try again later.';
  return remaining === 1 ? 'You have 1 attempt left.' : `You have ${remaining} attempts left.`;
}

/**
 * A person who used up their attempts, and when they may try again (the answer's Retry-After, in seconds).
 * @param {number | null} retryAfterSeconds
 */
export function lockedSentence(retryAfterSeconds) {
  if (!retryAfterSeconds) return problemSentence({ code: 'ATTEMPTS_EXHAUSTED' });
  const when = new Date(Date.now() + retryAfterSeconds * 1000).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
  return `${PROBLEMS.ATTEMPTS_EXHAUSTED[1]} You can try again after ${when}, or contact support if you need help sooner.`;
}

export const UNREACHABLE = `We could not reach the verification service. Check your connection. ${ADVICE.retry}`;
export const CAPTURE_FAILED = `The camera capture did not work. ${ADVICE.restart}`;
