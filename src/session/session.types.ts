import type { ProblemCode } from '../common/problem-codes';
import type { Check, Decision, DecisionReason } from '../decision/decision.types';

/** Stored states; `expired` is derived when reading (an open session past its `expiresAt`). */
export type StoredStatus = 'open' | 'processing' | 'completed' | 'failed';
export type SessionStatus = StoredStatus | 'expired';

export interface SessionResult {
  decision: Decision;
  reason: DecisionReason;
  folderId: string | null;
  eventSessionId: string | null;
  completedAt: Date;
  checks: Check[];
  /** Biometry is allowed only after an accepted liveness check, whatever biometry decided since. */
  livenessAccepted: boolean;
  /**
   * The liveness decision and reason, kept once biometry has replaced `decision` and `reason`:
   * the public liveness answer (and every replay of it) never changes. Absent before biometry.
   */
  livenessVerdict?: { decision: Decision; reason: DecisionReason };
}

/** A final failure, kept to answer a client retry of the same bytes with the same error. */
export interface SessionFailure {
  code: ProblemCode;
  detail: string;
  ozErrorCode: number | null;
}

export interface SessionRecord {
  id: string;
  subjectId: string | null;
  createdAt: Date;
  expiresAt: Date;
  /** When the session and everything about it is forgotten (RESULT_TTL_SECONDS after creation). */
  purgeAt: Date;
  status: StoredStatus;
  /** SHA-256 of the container that completed or failed the session, to recognise a retry. */
  containerSha256: string | null;
  result: SessionResult | null;
  failure: SessionFailure | null;
  /** Whether Oz returned a best shot, and until when its bytes are held. */
  bestShot: { returned: boolean; heldUntil: Date | null };
}

export type UploadClaim =
  | { outcome: 'claimed' }
  | { outcome: 'not-found' }
  | { outcome: 'expired' }
  | { outcome: 'in-progress' }
  | { outcome: 'already-used' }
  | { outcome: 'replay'; session: SessionRecord };

export type BestShotLookup =
  | { state: 'held'; bytes: Buffer }
  | { state: 'session-not-found' }
  | { state: 'none' }
  | { state: 'expired' };
