/** Problem codes of docs/api.md §3, with their HTTP status, title and whether a retry may succeed. */
export const PROBLEM_CODES = {
  VALIDATION_FAILED: { status: 400, title: 'Validation failed', retryable: false },
  CONTAINER_MISSING: { status: 400, title: 'Container missing', retryable: false },
  UNAUTHORIZED: { status: 401, title: 'Unauthorized', retryable: false },
  SESSION_NOT_FOUND: { status: 404, title: 'Session not found', retryable: false },
  BEST_SHOT_NOT_FOUND: { status: 404, title: 'Best shot not found', retryable: false },
  ROUTE_NOT_FOUND: { status: 404, title: 'Not found', retryable: false },
  SESSION_ALREADY_USED: { status: 409, title: 'Session already used', retryable: false },
  LIVENESS_NOT_ACCEPTED: { status: 409, title: 'Liveness not accepted', retryable: false },
  SESSION_IN_PROGRESS: { status: 409, title: 'Session in progress', retryable: true },
  REVIEW_NOT_PENDING: { status: 409, title: 'Review not pending', retryable: false },
  SESSION_EXPIRED: { status: 410, title: 'Session expired', retryable: false },
  BEST_SHOT_EXPIRED: { status: 410, title: 'Best shot expired', retryable: false },
  NEW_CAPTURE_REQUIRED: { status: 410, title: 'New capture required', retryable: false },
  RATE_LIMITED: { status: 429, title: 'Too many requests', retryable: true },
  ATTEMPTS_EXHAUSTED: { status: 429, title: 'Attempts exhausted', retryable: true },
  /** v1.2 (§16): a known path, another method; with `Allow`. */
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed', retryable: false },
  /** v1.2 (§16): a body too slow, or Node's request deadline. */
  REQUEST_TIMEOUT: { status: 408, title: 'Request timeout', retryable: true },
  /** Not in the contract's table: Node's own refusal before a request reaches the app. */
  HEADERS_TOO_LARGE: { status: 431, title: 'Request header fields too large', retryable: false },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'Payload too large', retryable: false },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported media type', retryable: false },
  CONTAINER_INVALID: { status: 422, title: 'Container invalid', retryable: false },
  CONTAINER_PAYLOAD_MISSING: { status: 422, title: 'Container payload missing', retryable: false },
  CONTAINER_MEDIA_MISSING: { status: 422, title: 'Container media missing', retryable: false },
  CONTAINER_DAMAGED: { status: 422, title: 'Container damaged', retryable: false },
  REFERENCE_INVALID: { status: 422, title: 'Reference invalid', retryable: false },
  UPSTREAM_ERROR: { status: 502, title: 'Upstream error', retryable: true },
  UPSTREAM_UNAVAILABLE: { status: 503, title: 'Upstream unavailable', retryable: true },
  UPSTREAM_TIMEOUT: { status: 504, title: 'Upstream timeout', retryable: true },
  STORE_UNAVAILABLE: { status: 503, title: 'Store unavailable', retryable: true },
  SERVICE_BUSY: { status: 503, title: 'Service busy', retryable: true },
  INTERNAL_ERROR: { status: 500, title: 'Internal error', retryable: false },
} as const satisfies Record<string, { status: number; title: string; retryable: boolean }>;

export type ProblemCode = keyof typeof PROBLEM_CODES;
