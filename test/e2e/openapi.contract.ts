/**
 * What the API document must say, written from the contract (service-api.md v1.2), not from the
 * code: every route of §1, §2, §11 and §12, every status each can answer, and for an error status
 * the problem codes of §3 it carries. `BODY` is an answer that is not a problem (a success, or the
 * terminus body of a failed readiness probe). Every route may answer 500 INTERNAL_ERROR (a defect).
 */
export const BODY = 'body';
type Answers = Record<number, typeof BODY | string[]>;

const DEFECT = { 500: ['INTERNAL_ERROR'] };
/** "The upstream errors of §3". */
const UPSTREAM = { 502: ['UPSTREAM_ERROR'], 504: ['UPSTREAM_TIMEOUT'] };
/** v1.2 §16: a body over its address's share of the upload budget, or too slow. */
const BODY_ARRIVAL = { 408: ['REQUEST_TIMEOUT'], 429: ['RATE_LIMITED'] };

export const CONTRACT_ROUTES: Record<string, Answers> = {
  'POST /v1/sessions': {
    201: BODY,
    400: ['VALIDATION_FAILED'],
    401: ['UNAUTHORIZED'],
    413: ['PAYLOAD_TOO_LARGE'],
    415: ['UNSUPPORTED_MEDIA_TYPE'],
    429: ['RATE_LIMITED', 'ATTEMPTS_EXHAUSTED'],
    ...UPSTREAM,
    503: ['UPSTREAM_UNAVAILABLE', 'STORE_UNAVAILABLE', 'SERVICE_BUSY'],
    ...DEFECT,
  },
  'POST /v1/sessions/{sessionId}/liveness': {
    200: BODY,
    201: BODY,
    400: ['VALIDATION_FAILED', 'CONTAINER_MISSING'],
    401: ['UNAUTHORIZED'],
    404: ['SESSION_NOT_FOUND'],
    409: ['SESSION_ALREADY_USED', 'SESSION_IN_PROGRESS'],
    410: ['SESSION_EXPIRED', 'NEW_CAPTURE_REQUIRED'],
    413: ['PAYLOAD_TOO_LARGE'],
    415: ['UNSUPPORTED_MEDIA_TYPE'],
    422: ['CONTAINER_INVALID', 'CONTAINER_PAYLOAD_MISSING', 'CONTAINER_MEDIA_MISSING', 'CONTAINER_DAMAGED'],
    ...BODY_ARRIVAL,
    429: ['RATE_LIMITED', 'ATTEMPTS_EXHAUSTED'],
    ...UPSTREAM,
    503: ['UPSTREAM_UNAVAILABLE', 'STORE_UNAVAILABLE', 'SERVICE_BUSY'],
    ...DEFECT,
  },
  'GET /v1/sessions/{sessionId}': {
    200: BODY,
    400: ['VALIDATION_FAILED'],
    401: ['UNAUTHORIZED'],
    404: ['SESSION_NOT_FOUND'],
    503: ['STORE_UNAVAILABLE'],
    ...DEFECT,
  },
  'POST /v1/sessions/{sessionId}/biometry': {
    201: BODY,
    400: ['VALIDATION_FAILED'],
    401: ['UNAUTHORIZED'],
    404: ['SESSION_NOT_FOUND', 'BEST_SHOT_NOT_FOUND'],
    409: ['LIVENESS_NOT_ACCEPTED'],
    410: ['BEST_SHOT_EXPIRED'],
    413: ['PAYLOAD_TOO_LARGE'],
    415: ['UNSUPPORTED_MEDIA_TYPE'],
    422: ['REFERENCE_INVALID'],
    ...BODY_ARRIVAL,
    ...UPSTREAM,
    503: ['UPSTREAM_UNAVAILABLE', 'STORE_UNAVAILABLE', 'SERVICE_BUSY'],
    ...DEFECT,
  },
  'GET /v1/sessions/{sessionId}/best-shot': {
    200: BODY,
    400: ['VALIDATION_FAILED'],
    401: ['UNAUTHORIZED'],
    404: ['SESSION_NOT_FOUND', 'BEST_SHOT_NOT_FOUND'],
    410: ['BEST_SHOT_EXPIRED'],
    503: ['STORE_UNAVAILABLE'],
    ...DEFECT,
  },
  'GET /v1/reviews': {
    200: BODY,
    400: ['VALIDATION_FAILED'],
    401: ['UNAUTHORIZED'],
    503: ['STORE_UNAVAILABLE'],
    ...DEFECT,
  },
  'POST /v1/sessions/{sessionId}/review': {
    200: BODY,
    400: ['VALIDATION_FAILED'],
    401: ['UNAUTHORIZED'],
    404: ['SESSION_NOT_FOUND'],
    409: ['REVIEW_NOT_PENDING'],
    413: ['PAYLOAD_TOO_LARGE'],
    415: ['UNSUPPORTED_MEDIA_TYPE'],
    503: ['STORE_UNAVAILABLE'],
    ...DEFECT,
  },
  'GET /health/live': { 200: BODY, ...DEFECT },
  'GET /health/ready': { 200: BODY, 503: BODY, ...DEFECT },
  'GET /.well-known/jwks.json': { 200: BODY, ...DEFECT },
  'GET /openapi.json': { 200: BODY, ...DEFECT },
  // v1.2 §14
  'GET /v1/subjects/{subjectId}/attempts': { 200: BODY, 400: ['VALIDATION_FAILED'], 401: ['UNAUTHORIZED'], 503: ['STORE_UNAVAILABLE'], ...DEFECT },
  'DELETE /v1/subjects/{subjectId}/attempts': { 204: BODY, 400: ['VALIDATION_FAILED'], 401: ['UNAUTHORIZED'], 503: ['STORE_UNAVAILABLE'], ...DEFECT },
};

export const INTERNAL_ROUTES = [
  'GET /v1/sessions/{sessionId}',
  'POST /v1/sessions/{sessionId}/biometry',
  'GET /v1/sessions/{sessionId}/best-shot',
  'GET /v1/subjects/{subjectId}/attempts',
  'DELETE /v1/subjects/{subjectId}/attempts',
  'POST /v1/sessions/{sessionId}/review',
  'GET /v1/reviews',
];
export const SESSION_ID_ROUTES = [...INTERNAL_ROUTES.filter((route) => route.includes('{sessionId}')), 'POST /v1/sessions/{sessionId}/liveness'];

const LIVENESS_ANSWER = ['sessionId', 'status', 'decision', 'reason', 'folderId', 'eventSessionId', 'completedAt', 'receipt', 'attemptsRemaining'];
const SESSION_VIEW = [
  ...['sessionId', 'subjectId', 'subjectVerified', 'status', 'createdAt', 'expiresAt', 'result', 'error'],
  ...['decision', 'reason', 'folderId', 'eventSessionId', 'completedAt', 'checks', 'bestShotAvailable', 'receipt'].map((field) => `result.${field}`),
  ...['type', 'resolution', 'score', 'similarity', 'errorCode', 'errorMessage'].map((field) => `result.checks.${field}`),
  ...['code', 'ozErrorCode'].map((field) => `error.${field}`),
];
const TERMINUS = ['status', 'info', 'error', 'details'];
/** §15: the view with its review. */
const REVIEWED_VIEW = [...SESSION_VIEW, 'review', ...['status', 'since', 'decidedAt', 'reviewer', 'note'].map((field) => `review.${field}`)];
const REVIEW_PAGE = [
  'items',
  'nextCursor',
  ...['sessionId', 'subjectId', 'subjectVerified', 'reason', 'since', 'bestShotAvailable'].map((field) => `items.${field}`),
];

/** The fields each JSON answer names (§1, §2, §11); `a.b` is field b of object a (or of a's items). */
export const CONTRACT_BODIES: [route: string, status: number, fields: string[]][] = [
  ['POST /v1/sessions', 201, ['sessionId', 'sessionToken', 'expiresAt']],
  ['POST /v1/sessions/{sessionId}/liveness', 201, LIVENESS_ANSWER],
  ['POST /v1/sessions/{sessionId}/liveness', 200, LIVENESS_ANSWER],
  ['GET /v1/sessions/{sessionId}', 200, SESSION_VIEW],
  ['POST /v1/sessions/{sessionId}/biometry', 201, [...SESSION_VIEW, 'attemptsRemaining']],
  ['GET /v1/subjects/{subjectId}/attempts', 200, ['subjectId', 'failures', 'limit', 'windowSeconds', 'lockedUntil']],
  ['POST /v1/sessions/{sessionId}/review', 200, REVIEWED_VIEW],
  ['GET /v1/reviews', 200, REVIEW_PAGE],
  ['GET /health/live', 200, TERMINUS],
  ['GET /health/ready', 200, TERMINUS],
  ['GET /health/ready', 503, TERMINUS],
  ['GET /.well-known/jwks.json', 200, ['keys', ...['kty', 'crv', 'x', 'y', 'kid', 'alg', 'use'].map((field) => `keys.${field}`)]],
];

/** The fields of every problem body (§3). */
export const PROBLEM_FIELDS = ['type', 'title', 'status', 'detail', 'code', 'requestId', 'retryable', 'ozErrorCode'];
