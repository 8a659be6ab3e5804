import type { SessionRecord, SessionResult } from '../session/session.types';
import { toLivenessAnswer } from './liveness-answer';

const RESULT: SessionResult = {
  decision: 'inconclusive',
  reason: 'REVIEW_REQUIRED',
  folderId: 'folder-1',
  eventSessionId: 'evt-1',
  completedAt: new Date('2030-01-01T00:01:00.000Z'),
  checks: [{ type: 'liveness', resolution: 'SUCCESS', score: 0.03, errorCode: null, errorMessage: null }],
  receipt: 'receipt.after.biometry',
  liveness: { decision: 'accepted', reason: 'LIVENESS_PASSED', receipt: 'receipt.of.liveness', eventId: 'evt_1' },
  biometry: { eventId: 'evt_2', completedAt: new Date('2030-01-01T00:02:00.000Z'), folderId: 'folder-2' },
  review: null,
};

const session = (result: SessionResult | null) => ({ id: 'b3d1c8a2-5e0f-4c1a-9d7e-2f6a8b9c0d1e', result }) as SessionRecord;

describe('toLivenessAnswer', () => {
  it('answers exactly the public keys: the first liveness decision and its receipt, never scores, checks or images', () => {
    const answer = toLivenessAnswer(session(RESULT), 3);

    expect(answer).toEqual({
      sessionId: 'b3d1c8a2-5e0f-4c1a-9d7e-2f6a8b9c0d1e',
      status: 'completed',
      decision: 'accepted',
      reason: 'LIVENESS_PASSED',
      folderId: 'folder-1',
      eventSessionId: 'evt-1',
      completedAt: '2030-01-01T00:01:00.000Z',
      receipt: 'receipt.of.liveness',
      attemptsRemaining: 3,
    });
    expect(Object.keys(answer).sort()).toEqual([
      'attemptsRemaining',
      'completedAt',
      'decision',
      'eventSessionId',
      'folderId',
      'reason',
      'receipt',
      'sessionId',
      'status',
    ]);
  });

  it('answers a null eventSessionId as null', () => {
    expect(toLivenessAnswer(session({ ...RESULT, eventSessionId: null }), null).eventSessionId).toBeNull();
  });

  it('refuses to answer for a session without a result, which would be a defect', () => {
    expect(() => toLivenessAnswer(session(null), null)).toThrow(/no result/);
  });
});
