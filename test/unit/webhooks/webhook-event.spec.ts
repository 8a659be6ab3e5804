import fc from 'fast-check';
import type { SessionEvent } from '../../../src/session/session-events';
import type { SessionRecord } from '../../../src/session/session.types';
import { webhookFor } from '../../../src/webhooks/webhook-event';
import { biometryResult, failure, result, sessionAt } from '../../integration/session-store/contract/fixtures';

const T0 = new Date('2030-01-02T03:04:05.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

const completed = (overrides: Partial<SessionRecord> = {}) =>
  sessionAt(T0, { subjectId: 'customer-7', status: 'completed', result: { ...result(at(1_000)), eventSessionId: 'oz-event-1' }, ...overrides });
const failed = () => sessionAt(T0, { subjectId: 'customer-8', status: 'failed', failure: failure(at(2_000)) });

describe('webhookFor', () => {
  it('announces a liveness result as verification.completed under its stored event id, timed when it was recorded', () => {
    const session = completed();

    const message = webhookFor({ type: 'verification.completed', eventId: 'event-1', session });

    expect(message).toEqual({ id: 'event-1', type: 'verification.completed', body: expect.any(String) });
    expect(JSON.parse(message?.body ?? '')).toEqual({
      type: 'verification.completed',
      timestamp: '2030-01-02T03:04:06.000Z',
      data: {
        sessionId: session.id,
        subjectId: 'customer-7',
        subjectVerified: false,
        decision: 'accepted',
        reason: 'LIVENESS_PASSED',
        folderId: 'folder-1',
        eventSessionId: 'oz-event-1',
        error: null,
      },
    });
  });

  it('announces a failure with its problem code and Oz code, and neither decision nor folder', () => {
    const session = failed();

    const message = webhookFor({ type: 'verification.failed', eventId: 'event-3', session });

    expect(message?.id).toBe('event-3');
    expect(JSON.parse(message?.body ?? '')).toEqual({
      type: 'verification.failed',
      timestamp: '2030-01-02T03:04:07.000Z',
      data: {
        sessionId: session.id,
        subjectId: 'customer-8',
        subjectVerified: false,
        decision: null,
        reason: null,
        folderId: null,
        eventSessionId: null,
        error: { code: 'CONTAINER_INVALID', ozErrorCode: 14 },
      },
    });
  });

  it('announces a face match with the recomputed decision, the face match’s folder and time, and its own event id', () => {
    const session = completed({ result: { ...biometryResult(at(1_000)), eventSessionId: 'oz-event-1' } });

    const message = webhookFor({ type: 'biometry.completed', eventId: 'event-2', session });

    expect(message?.id).toBe('event-2');
    expect(JSON.parse(message?.body ?? '')).toMatchObject({
      type: 'biometry.completed',
      timestamp: '2030-01-02T03:04:11.000Z',
      data: { decision: 'rejected', reason: 'FACE_MISMATCH', folderId: 'folder-2', eventSessionId: 'oz-event-1', error: null },
    });
  });

  it('announces a replay as the stored outcome again, under its original id: the liveness one even after a face match', () => {
    const matched = completed({ result: { ...biometryResult(at(1_000)), eventSessionId: 'oz-event-1' } });

    const afterMatch = webhookFor({ type: 'verification.replayed', session: matched });
    const afterFailure = webhookFor({ type: 'verification.replayed', session: failed() });

    expect(afterMatch).toEqual(webhookFor({ type: 'verification.completed', eventId: 'event-1', session: completed({ id: matched.id }) }));
    expect(JSON.parse(afterMatch?.body ?? '')).toMatchObject({ data: { decision: 'accepted', reason: 'LIVENESS_PASSED', folderId: 'folder-1' } });
    expect(afterFailure).toMatchObject({ id: 'event-3', type: 'verification.failed' });
  });

  it('announces nothing for a session only opened', () => {
    expect(webhookFor({ type: 'session.opened', session: sessionAt(T0) })).toBeNull();
  });

  it('carries no score, similarity, receipt or check, whatever Oz scored: the only number is an Oz error code', () => {
    const score = fc.double({ min: 0, max: 1, noNaN: true });
    fc.assert(
      fc.property(score, score, fc.constantFrom<SessionEvent['type']>('verification.completed', 'biometry.completed'), (spoofing, similarity, type) => {
        const stored = biometryResult(at(1_000));
        const checks = [
          { type: 'liveness' as const, resolution: 'SUCCESS', score: spoofing, errorCode: null, errorMessage: null },
          { type: 'biometry' as const, resolution: 'SUCCESS', similarity, errorCode: null, errorMessage: null },
        ];
        const session = completed({ result: { ...stored, checks } });
        const body = webhookFor({ type, eventId: 'e', session })?.body ?? '';
        expect(body).not.toMatch(/score|similarity|receipt|checks|eyJ/);
        expect(body.replace(/"[^"]*"/g, '')).not.toMatch(/\d/);
      }),
    );
  });
});

describe('webhookFor a review', () => {
  it('announces a reviewer’s decision as review.completed under its own event id, timed when decided, without the note', () => {
    const underReview = { ...biometryResult(at(1_000)), eventSessionId: 'oz-event-1', decision: 'inconclusive' as const, reason: 'REVIEW_REQUIRED' as const };
    const verdict = { decision: 'rejected' as const, reviewer: 'anna', note: 'a printed photo', decidedAt: at(9_000), eventId: 'event-9' };
    const reviewed = {
      ...underReview,
      decision: 'rejected' as const,
      reason: 'REVIEW_REJECTED' as const,
      review: { since: at(6_000), reason: 'REVIEW_REQUIRED' as const, verdict },
    };
    const session = completed({ result: reviewed });

    const message = webhookFor({ type: 'review.completed', eventId: 'event-9', session });

    expect(message).toEqual({ id: 'event-9', type: 'review.completed', body: expect.any(String) });
    expect(JSON.parse(message?.body ?? '')).toEqual({
      type: 'review.completed',
      timestamp: '2030-01-02T03:04:14.000Z',
      data: {
        sessionId: session.id,
        subjectId: 'customer-7',
        subjectVerified: false,
        decision: 'rejected',
        reason: 'REVIEW_REJECTED',
        folderId: 'folder-2',
        eventSessionId: 'oz-event-1',
        error: null,
      },
    });
    expect(message?.body).not.toContain('printed');
  });
});
