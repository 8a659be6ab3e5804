import fc from 'fast-check';
import type { AppError } from './app-error';
import { OzApiError, type OzFailureKind } from '../oz-api/oz-api.error';
import { biometryProblem, isContainerRejection, livenessProblem, upstreamProblem } from './oz-problems';

const rejected = (httpStatus: number, ozErrorCode: number | null) => new OzApiError('rejected', httpStatus, ozErrorCode, 'Oz answered');

/** What the problem filter reads from an AppError. */
function shape(problem: AppError) {
  return {
    code: problem.code,
    status: problem.status,
    retryable: problem.retryable,
    ozErrorCode: problem.ozErrorCode,
    retryAfterSeconds: problem.retryAfterSeconds,
  };
}

const CONTAINER_CODES = [
  [3, 'CONTAINER_PAYLOAD_MISSING', 422],
  [4, 'CONTAINER_MEDIA_MISSING', 422],
  [5, 'CONTAINER_DAMAGED', 422],
  [13, 'CONTAINER_MISSING', 400],
  [14, 'CONTAINER_INVALID', 422],
] as const;

/** Kinds that do not depend on the route: every mapper gives the same problem for them. */
const UPSTREAM_CASES: [string, OzApiError, ReturnType<typeof shape>][] = [
  [
    'a 5xx with error_code 0 (kept)',
    new OzApiError('server', 500, 0, 'x'),
    { code: 'UPSTREAM_ERROR', status: 502, retryable: true, ozErrorCode: 0, retryAfterSeconds: null },
  ],
  [
    'a 503 without error_code',
    new OzApiError('server', 503, null, 'x'),
    { code: 'UPSTREAM_ERROR', status: 502, retryable: true, ozErrorCode: null, retryAfterSeconds: null },
  ],
  [
    'a reset connection',
    new OzApiError('reset', null, null, 'x'),
    { code: 'UPSTREAM_ERROR', status: 502, retryable: true, ozErrorCode: null, retryAfterSeconds: null },
  ],
  [
    'a bad response (unreadable or incomplete body)',
    new OzApiError('bad-response', null, null, 'x'),
    { code: 'UPSTREAM_ERROR', status: 502, retryable: true, ozErrorCode: null, retryAfterSeconds: null },
  ],
  [
    'a timeout',
    new OzApiError('timeout', null, null, 'x'),
    { code: 'UPSTREAM_TIMEOUT', status: 504, retryable: true, ozErrorCode: null, retryAfterSeconds: null },
  ],
  [
    'an unreachable Oz',
    new OzApiError('unreachable', null, null, 'x'),
    { code: 'UPSTREAM_UNAVAILABLE', status: 503, retryable: true, ozErrorCode: null, retryAfterSeconds: 1 },
  ],
  [
    'our own concurrency limit (saturated)',
    new OzApiError('saturated', null, null, 'x'),
    { code: 'UPSTREAM_UNAVAILABLE', status: 503, retryable: true, ozErrorCode: null, retryAfterSeconds: 1 },
  ],
];

describe('livenessProblem', () => {
  it.each(CONTAINER_CODES)('maps Oz 400 with code %i to %s (%i), not retryable, with the Oz code', (ozCode, code, status) => {
    expect(shape(livenessProblem(rejected(400, ozCode)))).toEqual({ code, status, retryable: false, ozErrorCode: ozCode, retryAfterSeconds: null });
  });

  it.each([404, 401, 403, 422])('maps Oz %i with code 14 to 502 UPSTREAM_ERROR, because only a 400 carries a container error', (httpStatus) => {
    expect(shape(livenessProblem(rejected(httpStatus, 14)))).toEqual({
      code: 'UPSTREAM_ERROR',
      status: 502,
      retryable: false,
      ozErrorCode: 14,
      retryAfterSeconds: null,
    });
  });

  it.each([6, 7, 8, 9])('maps Oz auth code %i to 502 UPSTREAM_ERROR, not retryable', (ozCode) => {
    expect(shape(livenessProblem(rejected(401, ozCode)))).toEqual({
      code: 'UPSTREAM_ERROR',
      status: 502,
      retryable: false,
      ozErrorCode: ozCode,
      retryAfterSeconds: null,
    });
  });

  it('maps Oz 400 without an error code to 502 UPSTREAM_ERROR, not retryable', () => {
    expect(shape(livenessProblem(rejected(400, null)))).toMatchObject({ code: 'UPSTREAM_ERROR', status: 502, retryable: false, ozErrorCode: null });
  });

  it('maps every Oz 4xx other than a 400 with code 3, 4, 5, 13 or 14 to 502 UPSTREAM_ERROR, not retryable', () => {
    const statuses = fc.integer({ min: 400, max: 499 });
    const codes = fc.option(fc.integer({ min: -5, max: 1_000 }), { nil: null });
    fc.assert(
      fc.property(statuses, codes, (httpStatus, ozErrorCode) => {
        fc.pre(!(httpStatus === 400 && ozErrorCode !== null && [3, 4, 5, 13, 14].includes(ozErrorCode)));
        expect(shape(livenessProblem(rejected(httpStatus, ozErrorCode)))).toEqual({
          code: 'UPSTREAM_ERROR',
          status: 502,
          retryable: false,
          ozErrorCode,
          retryAfterSeconds: null,
        });
      }),
    );
  });

  it.each(UPSTREAM_CASES)('maps %s like every route does', (_, error, expected) => {
    expect(shape(livenessProblem(error))).toEqual(expected);
  });

  it.each([3, 4, 5, 13, 14])('does not treat a 5xx carrying code %i as a container error', (ozCode) => {
    expect(shape(livenessProblem(new OzApiError('server', 500, ozCode, 'x')))).toMatchObject({ code: 'UPSTREAM_ERROR', status: 502, retryable: true });
  });

  it('never echoes the upstream message in the detail', () => {
    const secret = 'token eyJhbGciOi... leaked';
    for (const error of [rejected(400, 14), rejected(401, 7), new OzApiError('server', 500, 0, secret), new OzApiError('timeout', null, null, secret)]) {
      const withSecret = Object.assign(error, { message: secret });
      expect(livenessProblem(withSecret).detail).not.toContain('leaked');
    }
  });
});

describe('isContainerRejection', () => {
  it('is true only for a rejected 400 with a container code', () => {
    const kinds: OzFailureKind[] = ['rejected', 'server', 'reset', 'bad-response', 'timeout', 'unreachable', 'saturated'];
    fc.assert(
      fc.property(
        fc.constantFrom(...kinds),
        fc.option(fc.integer({ min: 100, max: 599 }), { nil: null }),
        fc.option(fc.integer({ min: -1, max: 20 }), { nil: null }),
        (kind, httpStatus, ozErrorCode) => {
          const expected = kind === 'rejected' && httpStatus === 400 && ozErrorCode !== null && [3, 4, 5, 13, 14].includes(ozErrorCode);
          expect(isContainerRejection(new OzApiError(kind, httpStatus, ozErrorCode, 'x'))).toBe(expected);
        },
      ),
    );
  });
});

describe('biometryProblem', () => {
  it.each([
    [400, 14],
    [400, 3],
    [422, 21],
    [404, 1],
  ])('maps Oz %i with code %i to 422 REFERENCE_INVALID with the Oz code', (httpStatus, ozCode) => {
    expect(shape(biometryProblem(rejected(httpStatus, ozCode)))).toEqual({
      code: 'REFERENCE_INVALID',
      status: 422,
      retryable: false,
      ozErrorCode: ozCode,
      retryAfterSeconds: null,
    });
  });

  it.each([401, 403])('maps an Oz %i without an error code to 502 UPSTREAM_ERROR: our credentials, not the images', (httpStatus) => {
    expect(shape(biometryProblem(rejected(httpStatus, null)))).toEqual({
      code: 'UPSTREAM_ERROR',
      status: 502,
      retryable: false,
      ozErrorCode: null,
      retryAfterSeconds: null,
    });
  });

  it('maps an Oz 4xx without an error code to 422 REFERENCE_INVALID without ozErrorCode', () => {
    expect(shape(biometryProblem(rejected(400, null)))).toEqual({
      code: 'REFERENCE_INVALID',
      status: 422,
      retryable: false,
      ozErrorCode: null,
      retryAfterSeconds: null,
    });
  });

  it.each([
    [401, 6],
    [401, 7],
    [403, 8],
    [400, 9],
  ])('maps Oz %i with auth code %i to 502 UPSTREAM_ERROR, not retryable', (httpStatus, ozCode) => {
    expect(shape(biometryProblem(rejected(httpStatus, ozCode)))).toEqual({
      code: 'UPSTREAM_ERROR',
      status: 502,
      retryable: false,
      ozErrorCode: ozCode,
      retryAfterSeconds: null,
    });
  });

  it.each(UPSTREAM_CASES)('maps %s like every route does', (_, error, expected) => {
    expect(shape(biometryProblem(error))).toEqual(expected);
  });
});

describe('upstreamProblem', () => {
  it.each(UPSTREAM_CASES)('maps %s', (_, error, expected) => {
    expect(shape(upstreamProblem(error))).toEqual(expected);
  });

  it('maps any Oz 4xx (session-token call) to 502 UPSTREAM_ERROR, not retryable, keeping the Oz code', () => {
    expect(shape(upstreamProblem(rejected(401, 7)))).toEqual({
      code: 'UPSTREAM_ERROR',
      status: 502,
      retryable: false,
      ozErrorCode: 7,
      retryAfterSeconds: null,
    });
    expect(shape(upstreamProblem(rejected(400, 14)))).toMatchObject({ code: 'UPSTREAM_ERROR', status: 502, retryable: false, ozErrorCode: 14 });
  });
});
