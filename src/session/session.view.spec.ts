import type { SessionRecord, SessionResult } from './session.types';
import { statusOf, toSessionView } from './session.view';

const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const EXPIRES_MS = 900_000;
const COMPLETED_AT = at(60_000);
const HELD_UNTIL = at(660_000);

const RESULT: SessionResult = {
  decision: 'accepted',
  reason: 'LIVENESS_PASSED',
  folderId: 'folder-1',
  eventSessionId: 'evt-1',
  completedAt: COMPLETED_AT,
  checks: [{ type: 'liveness', resolution: 'SUCCESS', score: 0.03, errorCode: null, errorMessage: null }],
  receipt: 'receipt.of.decision',
  liveness: { decision: 'accepted', reason: 'LIVENESS_PASSED', receipt: 'receipt.of.decision', eventId: 'evt_1' },
  biometry: null,
  review: null,
};

function record(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: 'b3d1c8a2-5e0f-4c1a-9d7e-2f6a8b9c0d1e',
    subjectId: 'subject-7',
    subjectVerified: false,
    createdAt: T0,
    expiresAt: at(EXPIRES_MS),
    purgeAt: at(86_400_000),
    tokenSha256: 'c'.repeat(64),
    status: 'open',
    lease: null,
    containerSha256: null,
    result: null,
    failure: null,
    captureMayBeUsed: false,
    bestShot: { returned: false, heldUntil: null },
    ...overrides,
  };
}

const completed = (bestShot: SessionRecord['bestShot'] = { returned: true, heldUntil: HELD_UNTIL }) =>
  record({ status: 'completed', containerSha256: 'a'.repeat(64), result: RESULT, bestShot });

describe('statusOf', () => {
  it('says open before expiresAt and expired from expiresAt on for an open session', () => {
    expect(statusOf(record(), at(EXPIRES_MS - 1))).toBe('open');
    expect(statusOf(record(), at(EXPIRES_MS))).toBe('expired');
  });

  it.each(['processing', 'completed', 'failed'] as const)('keeps %s after expiresAt', (status) => {
    expect(statusOf(record({ status }), at(EXPIRES_MS + 1))).toBe(status);
  });

  it('says open again for a processing session whose upload lease ran out, expired once past expiresAt', () => {
    const leased = record({ status: 'processing', lease: { claimId: 'claim-1', until: at(70_000) } });

    expect(statusOf(leased, at(69_999))).toBe('processing');
    expect(statusOf(leased, at(70_000))).toBe('open');
    expect(statusOf(leased, at(EXPIRES_MS))).toBe('expired');
  });
});

describe('toSessionView', () => {
  it('shows an open session with null result and error, dates as ISO strings', () => {
    expect(toSessionView(record(), at(1))).toEqual({
      sessionId: 'b3d1c8a2-5e0f-4c1a-9d7e-2f6a8b9c0d1e',
      subjectId: 'subject-7',
      subjectVerified: false,
      status: 'open',
      createdAt: '2030-01-01T00:00:00.000Z',
      expiresAt: '2030-01-01T00:15:00.000Z',
      result: null,
      error: null,
    });
  });

  it('shows an open session past expiresAt as expired', () => {
    expect(toSessionView(record(), at(EXPIRES_MS))).toMatchObject({ status: 'expired', result: null, error: null });
  });

  it('shows a null subjectId when the session has none', () => {
    expect(toSessionView(record({ subjectId: null }), at(1)).subjectId).toBeNull();
  });

  it('shows the result of a completed session with checks and the best shot available while held', () => {
    expect(toSessionView(completed(), at(HELD_UNTIL.getTime() - T0.getTime() - 1))).toEqual({
      sessionId: 'b3d1c8a2-5e0f-4c1a-9d7e-2f6a8b9c0d1e',
      subjectId: 'subject-7',
      subjectVerified: false,
      status: 'completed',
      createdAt: '2030-01-01T00:00:00.000Z',
      expiresAt: '2030-01-01T00:15:00.000Z',
      result: {
        decision: 'accepted',
        reason: 'LIVENESS_PASSED',
        folderId: 'folder-1',
        eventSessionId: 'evt-1',
        completedAt: '2030-01-01T00:01:00.000Z',
        checks: RESULT.checks,
        bestShotAvailable: true,
        receipt: 'receipt.of.decision',
      },
      error: null,
    });
  });

  it('keeps a completed session completed after expiresAt', () => {
    expect(toSessionView(completed(), at(EXPIRES_MS + 1)).status).toBe('completed');
  });

  it('says the best shot is no longer available from its heldUntil on', () => {
    expect(toSessionView(completed(), HELD_UNTIL).result?.bestShotAvailable).toBe(false);
  });

  it('says no best shot is available when Oz returned none', () => {
    expect(toSessionView(completed({ returned: false, heldUntil: null }), at(61_000)).result?.bestShotAvailable).toBe(false);
  });

  it('does not expose the stored container hash, token hash, purge time, lease or first liveness outcome', () => {
    const view = toSessionView(completed(), at(61_000));

    expect(Object.keys(view).sort()).toEqual(['createdAt', 'error', 'expiresAt', 'result', 'sessionId', 'status', 'subjectId', 'subjectVerified']);
    expect(Object.keys(view.result ?? {}).sort()).toEqual([
      'bestShotAvailable',
      'checks',
      'completedAt',
      'decision',
      'eventSessionId',
      'folderId',
      'reason',
      'receipt',
    ]);
  });

  it('shows a failed session with the error code and the Oz code, and no result', () => {
    const failed = record({
      status: 'failed',
      failure: { code: 'CONTAINER_INVALID', detail: 'Oz could not open the container.', ozErrorCode: 14, failedAt: at(1), eventId: 'evt_2' },
    });

    expect(toSessionView(failed, at(EXPIRES_MS + 1))).toMatchObject({ status: 'failed', result: null, error: { code: 'CONTAINER_INVALID', ozErrorCode: 14 } });
    expect(toSessionView(failed, at(1)).error).toEqual({ code: 'CONTAINER_INVALID', ozErrorCode: 14 });
  });

  it('shows a null ozErrorCode in the error when the failure had none', () => {
    const failed = record({ status: 'failed', failure: { code: 'CONTAINER_DAMAGED', detail: 'x', ozErrorCode: null, failedAt: at(1), eventId: 'evt_3' } });

    expect(toSessionView(failed, at(1)).error).toEqual({ code: 'CONTAINER_DAMAGED', ozErrorCode: null });
  });
});
