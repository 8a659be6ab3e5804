import type { Assessment } from '../../../src/decision/decision.types';
import { SessionEvents } from '../../../src/session/session-events';
import { SessionLifecycle } from '../../../src/session/session-lifecycle';
import type { SessionRecord } from '../../../src/session/session.types';
import { OZ, SESSIONS, sessionsKit, type SessionsKit } from '../toolkit';

const LIVENESS = { type: 'liveness' as const, resolution: 'SUCCESS', score: 0.02, errorCode: null, errorMessage: null };
const BIOMETRY = { type: 'biometry' as const, resolution: 'OPERATOR_REQUIRED', similarity: 0.62, errorCode: null, errorMessage: null };
const assessment = (decision: Assessment['decision'], reason: Assessment['reason'], checks: Assessment['checks'] = [LIVENESS]): Assessment => ({
  decision,
  reason,
  checks,
});

/** SessionLifecycle's part of human review (docs/api.md §15), on the real in-memory store. */
describe('SessionLifecycle and human review', () => {
  let kit: SessionsKit;

  beforeEach(async () => {
    kit = await sessionsKit();
  });
  afterEach(() => kit.close());

  async function completed(lifecycle: SessionLifecycle, livenessAssessment: Assessment): Promise<SessionRecord> {
    const opened = await lifecycle.open({ subjectId: 'subject-1', subjectVerified: false }, 'token', null);
    const claim = await lifecycle.claimUpload(opened, 'a'.repeat(64));
    if (claim.outcome !== 'claimed') throw new Error(`not claimed: ${claim.outcome}`);
    return lifecycle.completeLiveness(claim.session, claim.lease, {
      assessment: livenessAssessment,
      folderId: 'folder-1',
      eventSessionId: null,
      bestShot: null,
    });
  }

  it('sends a REVIEW_REQUIRED face match to review, since the moment it was recorded', async () => {
    const session = await completed(kit.lifecycle, assessment('accepted', 'LIVENESS_PASSED'));
    kit.clock.advance(5_000);

    const matched = await kit.lifecycle.recordBiometry(session, assessment('inconclusive', 'REVIEW_REQUIRED', [LIVENESS, BIOMETRY]), 'folder-2');

    expect(matched.result?.review).toEqual({ since: kit.clock.now(), reason: 'REVIEW_REQUIRED', verdict: null });
    await expect(kit.lifecycle.pendingReviews(null, 10)).resolves.toMatchObject([{ id: session.id }]);
  });

  it('leaves other inconclusive decisions out of review unless REVIEW_INCONCLUSIVE, and then sends them too', async () => {
    const without = await completed(kit.lifecycle, assessment('inconclusive', 'ANALYSIS_FAILED'));
    const everyInconclusive = new SessionLifecycle(kit.store, kit.clock, new SessionEvents(), kit.receipts, OZ, SESSIONS, { inconclusive: true });

    const withFlag = await completed(everyInconclusive, assessment('inconclusive', 'UNEXPECTED_RESULT'));
    const accepted = await completed(everyInconclusive, assessment('accepted', 'LIVENESS_PASSED'));

    expect([without, withFlag, accepted].map((session) => session.result?.review?.reason ?? null)).toEqual([null, 'UNEXPECTED_RESULT', null]);
  });

  it('publishes review.completed with the reviewer’s rejection: the seam where a rejection counts as a failed attempt', async () => {
    const session = await completed(kit.lifecycle, assessment('inconclusive', 'REVIEW_REQUIRED'));
    kit.published.length = 0;

    const reviewed = await kit.lifecycle.recordReview(session.id, { decision: 'rejected', reviewer: 'anna', note: 'a mask' });

    expect(kit.published).toEqual([{ type: 'review.completed', eventId: expect.stringMatching(/^evt_/), session: reviewed }]);
    expect(reviewed.result).toMatchObject({
      decision: 'rejected',
      reason: 'REVIEW_REJECTED',
      review: { verdict: { decision: 'rejected', reviewer: 'anna', note: 'a mask' } },
    });
    expect(reviewed.result?.liveness).toEqual(session.result?.liveness);
    await expect(kit.lifecycle.countPendingReviews()).resolves.toBe(0);
  });

  it('refuses a review of a session that is not pending with REVIEW_NOT_PENDING, and publishes nothing', async () => {
    const session = await completed(kit.lifecycle, assessment('accepted', 'LIVENESS_PASSED'));
    kit.published.length = 0;

    await expect(kit.lifecycle.recordReview(session.id, { decision: 'accepted', reviewer: 'anna', note: null })).rejects.toMatchObject({
      code: 'REVIEW_NOT_PENDING',
      status: 409,
    });
    expect(kit.published).toEqual([]);
  });

  it('refuses the review when a face match replaced the decision after it was read, as a second reviewer is refused', async () => {
    const session = await completed(kit.lifecycle, assessment('inconclusive', 'REVIEW_REQUIRED'));
    const recordReview = kit.store.recordReview.bind(kit.store);
    // The face match lands between the reviewer's read and the compare-and-set.
    jest.spyOn(kit.store, 'recordReview').mockImplementationOnce(async (...args) => {
      await kit.lifecycle.recordBiometry(session, assessment('inconclusive', 'REVIEW_REQUIRED', [LIVENESS, BIOMETRY]), 'folder-2');
      return recordReview(...args);
    });

    await expect(kit.lifecycle.recordReview(session.id, { decision: 'accepted', reviewer: 'anna', note: null })).rejects.toMatchObject({
      code: 'REVIEW_NOT_PENDING',
    });
    await expect(kit.lifecycle.pendingReviews(null, 10)).resolves.toMatchObject([{ id: session.id, result: { review: { verdict: null } } }]);
  });
});
