import type { SessionCaller } from '../../../src/admission/subject-credentials';
import type { SessionEvent } from '../../../src/session/session-events';
import { failedAttemptOf } from '../../../src/session/failed-attempts';
import { sessionSubjectOf } from '../../../src/session/session-subject';
import type { SessionRecord, SessionResult } from '../../../src/session/session.types';
import { biometryResult, failure, result, sessionAt } from '../../integration/session-store/contract/fixtures';

const T0 = new Date('2030-01-01T00:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

function withResult(decided: Partial<SessionResult>): SessionRecord {
  const base = result(at(1_000));
  return sessionAt(T0, { subjectId: 'customer-1', subjectVerified: true, status: 'completed', result: { ...base, ...decided } });
}

const declined = () => {
  const base = result(at(1_000));
  return withResult({ decision: 'rejected', reason: 'LIVENESS_DECLINED', liveness: { ...base.liveness, decision: 'rejected', reason: 'LIVENESS_DECLINED' } });
};

describe('failedAttemptOf (docs/api.md §14)', () => {
  it('counts a declined liveness under the id of the event that recorded it, also when a retry replays it', () => {
    const session = declined();
    const expected = { id: session.result?.liveness.eventId, at: at(1_000) };

    expect(failedAttemptOf({ type: 'verification.completed', eventId: 'x', session })).toEqual(expected);
    expect(failedAttemptOf({ type: 'verification.replayed', session })).toEqual(expected);
  });

  it('counts a face mismatch under the face match’s own event id', () => {
    const matched = biometryResult(at(2_000));
    const session = withResult({ ...matched, decision: 'rejected', reason: 'FACE_MISMATCH' });

    expect(failedAttemptOf({ type: 'biometry.completed', eventId: 'y', session })).toEqual({
      id: matched.biometry?.eventId,
      at: matched.biometry?.completedAt,
    });
  });

  it('counts a reviewer’s rejection under the review’s own event id (§15)', () => {
    const verdict = { decision: 'rejected' as const, reviewer: 'anna', note: null, decidedAt: at(5_000), eventId: 'evt_review' };
    const session = withResult({ decision: 'rejected', reason: 'REVIEW_REJECTED', review: { since: at(2_000), reason: 'REVIEW_REQUIRED', verdict } });

    expect(failedAttemptOf({ type: 'review.completed', eventId: 'evt_review', session })).toEqual({ id: 'evt_review', at: at(5_000) });
  });

  it('does not count a reviewer’s acceptance', () => {
    const verdict = { decision: 'accepted' as const, reviewer: 'anna', note: null, decidedAt: at(5_000), eventId: 'evt_review' };
    const session = withResult({ reason: 'REVIEW_ACCEPTED', review: { since: at(2_000), reason: 'REVIEW_REQUIRED', verdict } });

    expect(failedAttemptOf({ type: 'review.completed', eventId: 'evt_review', session })).toBeNull();
  });

  it.each<[string, SessionEvent]>([
    ['an accepted liveness', { type: 'verification.completed', eventId: 'a', session: withResult({}) }],
    [
      'an inconclusive decision',
      {
        type: 'verification.completed',
        eventId: 'b',
        session: withResult({ liveness: { ...result(at(1)).liveness, decision: 'inconclusive', reason: 'ANALYSIS_FAILED' } }),
      },
    ],
    [
      'a session that failed (a container error, or a capture Oz may already have used)',
      { type: 'verification.failed', eventId: 'c', session: sessionAt(T0, { status: 'failed', failure: failure(at(1)) }) },
    ],
    ['a session opened', { type: 'session.opened', session: sessionAt(T0) }],
  ])('does not count %s', (_, event) => {
    expect(failedAttemptOf(event)).toBeNull();
  });
});

describe('sessionSubjectOf (docs/api.md §14)', () => {
  const anonymous: SessionCaller = { kind: 'anonymous' };
  const key: SessionCaller = { kind: 'key' };
  const token: SessionCaller = { kind: 'token', subjectId: 'customer-1' };

  it('keeps an anonymous subjectId as the browser’s word', () => {
    expect(sessionSubjectOf(anonymous, 'customer-1')).toEqual({ subjectId: 'customer-1', subjectVerified: false });
  });

  it('trusts the body’s subjectId of a key’s call, and vouches for nobody without one', () => {
    expect(sessionSubjectOf(key, 'customer-1')).toEqual({ subjectId: 'customer-1', subjectVerified: true });
    expect(sessionSubjectOf(key, null)).toEqual({ subjectId: null, subjectVerified: false });
  });

  it('takes the token’s sub, with or without the same subjectId in the body, and refuses another one', () => {
    expect(sessionSubjectOf(token, null)).toEqual({ subjectId: 'customer-1', subjectVerified: true });
    expect(sessionSubjectOf(token, 'customer-1')).toEqual({ subjectId: 'customer-1', subjectVerified: true });
    expect(() => sessionSubjectOf(token, 'customer-2')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
  });
});
