import type { ProblemCode } from '../common/problem-codes';
import type { Decision, DecisionReason } from '../decision/decision.types';
import type { SessionEvent } from '../session/session-events';
import type { SessionRecord } from '../session/session.types';

export type WebhookEventType = 'verification.completed' | 'verification.failed' | 'biometry.completed' | 'review.completed';

/** The body of docs/api.md §10: ids, the decision and its reason, never a score, image or token. */
export interface WebhookPayload {
  type: WebhookEventType;
  /** When the outcome was recorded (not when it is sent). */
  timestamp: string;
  data: {
    sessionId: string;
    subjectId: string | null;
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

function ids(session: SessionRecord): { sessionId: string; subjectId: string | null } {
  return { sessionId: session.id, subjectId: session.subjectId };
}

function message(id: string, type: WebhookEventType, recordedAt: Date, data: WebhookPayload['data']): WebhookMessage {
  const payload: WebhookPayload = { type, timestamp: recordedAt.toISOString(), data };
  return { id, type, body: JSON.stringify(payload) };
}

function required<T>(session: SessionRecord, value: T | null, what: string): T {
  if (value === null) throw new Error(`session ${session.id} (${session.status}) has no ${what} to announce`);
  return value;
}
