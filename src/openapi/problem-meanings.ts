import type { ProblemCode } from '../common/problem-codes';

/** When each problem code is answered, in the words of the contract's error table (§3), for the document's readers. */
export const PROBLEM_MEANINGS: Record<ProblemCode, string> = {
  VALIDATION_FAILED: 'A malformed JSON body, field, form part or path parameter (a sessionId that is not a UUID).',
  CONTAINER_MISSING: 'An empty liveness body (Oz is not called), or Oz code 13.',
  UNAUTHORIZED: "An internal route without a valid key, or a liveness upload without this session's token.",
  SESSION_NOT_FOUND: 'An unknown or purged session.',
  BEST_SHOT_NOT_FOUND: 'The session has no best shot: Oz returned none.',
  ROUTE_NOT_FOUND: 'No such route.',
  SESSION_ALREADY_USED: 'Different bytes on a completed or failed session.',
  LIVENESS_NOT_ACCEPTED: 'No container was analysed yet, or liveness was not accepted.',
  SESSION_IN_PROGRESS: 'A second upload while the first is still with Oz.',
  REVIEW_NOT_PENDING:
    'A review of a session that is not pending: never sent to review, already decided (two reviewers at once: one of them), or decided again since.',
  SESSION_EXPIRED: 'A liveness upload after expiresAt (Oz is not called).',
  BEST_SHOT_EXPIRED: 'The best shot is no longer held (BEST_SHOT_TTL_SECONDS after completion).',
  NEW_CAPTURE_REQUIRED:
    'Oz already used this capture (an earlier call sent it and got no usable answer), or its session token expired at Oz: capture again in a new session (Oz code 14).',
  RATE_LIMITED: 'A rate limit was reached; Oz is not called.',
  ATTEMPTS_EXHAUSTED: 'The vouched subject used up its failed attempts (ATTEMPT_LIMIT within ATTEMPT_WINDOW_SECONDS) and is locked; Oz is not called.',
  METHOD_NOT_ALLOWED: 'A known path with a method it does not serve; the methods it serves are in Allow.',
  REQUEST_TIMEOUT: 'A body arrived slower than MIN_UPLOAD_BYTES_PER_SECOND on average once it had run 10 s, or the request was not received in time.',
  HEADERS_TOO_LARGE: 'The request headers are too large.',
  PAYLOAD_TOO_LARGE: 'The body is over its limit: refused from Content-Length before any of it is read, or as soon as a chunked body passes it.',
  UNSUPPORTED_MEDIA_TYPE: 'A wrong or missing Content-Type.',
  CONTAINER_INVALID: 'Oz code 14 (also an expired or reused Oz session token).',
  CONTAINER_PAYLOAD_MISSING: 'Oz code 3.',
  CONTAINER_MEDIA_MISSING: 'Oz code 4.',
  CONTAINER_DAMAGED: 'Oz code 5.',
  REFERENCE_INVALID: 'The reference is not a JPEG or PNG, or Oz answered 4xx to the images (with ozErrorCode when Oz gave one).',
  UPSTREAM_ERROR:
    'Oz answered 5xx, reset the connection or sent an unreadable body (retryable); or Oz answered an auth error or another unexpected 4xx (not retryable).',
  UPSTREAM_UNAVAILABLE:
    'Oz could not be reached, the service is at its Oz concurrency limit, or no slot of the deployment’s Oz capacity (OZ_CAPACITY) came within OZ_QUEUE_TIMEOUT_MS.',
  UPSTREAM_TIMEOUT: 'Oz did not answer within its deadline.',
  STORE_UNAVAILABLE: 'The shared store (Redis) did not answer in time.',
  SERVICE_BUSY: 'The service refuses more work of its own (uploads in flight, or a full in-memory store).',
  INTERNAL_ERROR: 'A defect; never leaks a stack or message.',
};
