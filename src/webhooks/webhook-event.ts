import { randomUUID } from 'node:crypto';
import { createHash } from 'node:crypto';
import type { SubjectLock } from '../attempts/attempt-limits';
import type { ProblemCode } from '../common/problem-codes';
import type { Decision, DecisionReason } from '../decision/decision.types';
import type { SessionEvent } from '../session/session-events';
import type { SessionRecord } from '../session/session.types';

export type WebhookEventType = 'verification.completed' | 'verification.failed' | 'biometry.completed' | 'subject.locked' | 'review.completed';

/** The body of docs/api.md §10: ids, the decision and its reason, never a score, image or token. */
export interface WebhookPayload {
  type: Exclude<WebhookEventType, 'subject.locked'>;
  /** When the outcome was recorded (not when it is sent). */
  timestamp: string;
  data: {
    sessionId: string;
    subjectId: string | null;
    subjectVerified: boolean;
    decision: Decision | null;
    reason: DecisionReason | null;
    folderId: string | null;
    eventSessionId: string | null;
    error: { code: ProblemCode; ozErrorCode: number | null } | null;
  };
}

/**
 * What a queue holds for one event: its id (`webhook-id`, the event id stored with the outcome)
 * and its body, serialised once so that every attempt sends the same bytes.
 */
export interface WebhookMessage {
  id: string;
  type: WebhookEventType;
  body: string;
}

/**
 * The webhook a session event calls for, from the session as it was stored. A replay (a client
 * retry that got the stored answer) yields its stored outcome's event again, under its original
 * id: the replica that recorded it may have died before the event was queued.
 */
export function webhookFor(event: SessionEvent): WebhookMessage | null {
  switch (event.type) {
    case 'verification.completed':
      return livenessCompleted(event.session);
    case 'verification.failed':
      return livenessFailed(event.session);
    case 'biometry.completed':
      return biometryCompleted(event.session);
    case 'review.completed':
      return reviewCompleted(event.session);
    case 'verification.replayed':
      return event.session.result ? livenessCompleted(event.session) : livenessFailed(event.session);
    case 'session.opened':
      return null;
  }
}

/** The liveness outcome as first given, whatever a later face match decided. */
function livenessCompleted(session: SessionRecord): WebhookMessage {
  const result = required(session, session.result, 'a liveness result');
  return message(result.liveness.eventId, 'verification.completed', result.completedAt, {
    ...ids(session),
    decision: result.liveness.decision,
    reason: result.liveness.reason,
    folderId: result.folderId,
    eventSessionId: result.eventSessionId,
    error: null,
  });
}

function livenessFailed(session: SessionRecord): WebhookMessage {
  const failure = required(session, session.failure, 'a failure');
  return message(failure.eventId, 'verification.failed', failure.failedAt, {
    ...ids(session),
    decision: null,
    reason: null,
    folderId: null,
    eventSessionId: null,
    error: { code: failure.code, ozErrorCode: failure.ozErrorCode },
  });
}

/** The decision recomputed by the face match, and the face match's own Oz folder. */
function biometryCompleted(session: SessionRecord): WebhookMessage {
  const result = required(session, session.result, 'a result');
  const biometry = required(session, result.biometry, 'a face match');
  return message(biometry.eventId, 'biometry.completed', biometry.completedAt, {
    ...ids(session),
    decision: result.decision,
    reason: result.reason,
    folderId: biometry.folderId,
    eventSessionId: result.eventSessionId,
    error: null,
  });
}

/** docs/api.md §15: the reviewer's decision, with the ids of the result it settled; never the reviewer's note. */
function reviewCompleted(session: SessionRecord): WebhookMessage {
  const result = required(session, session.result, 'a result');
  const verdict = required(session, result.review?.verdict ?? null, 'a reviewer’s decision');
  return message(verdict.eventId, 'review.completed', verdict.decidedAt, {
    ...ids(session),
    decision: result.decision,
    reason: result.reason,
    folderId: result.biometry?.folderId ?? result.folderId,
    eventSessionId: result.eventSessionId,
    error: null,
  });
}

/** The body of `subject.locked` (docs/api.md §14): who, how many failures, and until when. */
export interface SubjectLockedPayload {
  type: 'subject.locked';
  timestamp: string;
  data: { subjectId: string; failures: number; lockedUntil: string };
}

/** A vouched subject became locked. Its id derives from the failure that locked it, so that it is the same on every attempt. */
export function subjectLocked(lock: SubjectLock): WebhookMessage {
  const payload: SubjectLockedPayload = {
    type: 'subject.locked',
    timestamp: lock.lockedAt.toISOString(),
    data: { subjectId: lock.subjectId, failures: lock.failures, lockedUntil: lock.lockedUntil.toISOString() },
  };
  const id = `evt_${createHash('sha256').update(`${lock.failureId}:locked`).digest('hex').slice(0, 32)}`;
  return { id, type: 'subject.locked', body: JSON.stringify(payload) };
}

function ids(session: SessionRecord): { sessionId: string; subjectId: string | null; subjectVerified: boolean } {
  return { sessionId: session.id, subjectId: session.subjectId, subjectVerified: session.subjectVerified };
}

function message(id: string, type: WebhookPayload['type'], recordedAt: Date, data: WebhookPayload['data']): WebhookMessage {
  const payload: WebhookPayload = { type, timestamp: recordedAt.toISOString(), data };
  return { id, type, body: JSON.stringify(payload) };
}

function required<T>(session: SessionRecord, value: T | null, what: string): T {
  if (value === null) throw new Error(`session ${session.id} (${session.status}) has no ${what} to announce`);
  return value;
}

/**
 * The event `npm run doctor -- --webhook` sends: signed like every event, with no session in it,
 * so that a receiver can be checked before traffic comes. Receivers should answer it 2xx and
 * otherwise ignore it.
 */
export function testEvent(now: Date): Pick<WebhookMessage, 'id' | 'body'> {
  const id = `evt_test_${randomUUID().replace(/-/g, '')}`;
  return { id, body: JSON.stringify({ type: 'webhook.test', timestamp: now.toISOString(), data: {} }) };
}
