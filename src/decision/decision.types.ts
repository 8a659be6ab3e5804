import type { OzAnalysis } from '../oz-api/oz-folder';

export type Decision = 'accepted' | 'rejected' | 'inconclusive';

/** Stable reason codes of contract §4. */
export type DecisionReason =
  | 'LIVENESS_PASSED'
  | 'LIVENESS_DECLINED'
  | 'FACE_MATCHED'
  | 'FACE_MISMATCH'
  | 'ANALYSIS_FAILED'
  | 'REVIEW_REQUIRED'
  | 'UNEXPECTED_RESULT';

export interface LivenessCheck {
  type: 'liveness';
  resolution: string | null;
  score: number | null;
  errorCode: number | null;
  errorMessage: string | null;
}

export interface BiometryCheck {
  type: 'biometry';
  resolution: string | null;
  similarity: number | null;
  errorCode: number | null;
  errorMessage: string | null;
}

export type Check = LivenessCheck | BiometryCheck;

export interface Verdict {
  decision: Decision;
  reason: DecisionReason;
  checks: Check[];
}

export type { OzAnalysis };
