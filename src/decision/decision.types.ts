export const DECISIONS = ['accepted', 'rejected', 'inconclusive'] as const;
export type Decision = (typeof DECISIONS)[number];

/** Stable reason codes of docs/api.md §4. */
export const DECISION_REASONS = [
  'LIVENESS_PASSED',
  'LIVENESS_DECLINED',
  'FACE_MATCHED',
  'FACE_MISMATCH',
  'ANALYSIS_FAILED',
  'REVIEW_REQUIRED',
  'UNEXPECTED_RESULT',
  // A reviewer's decision on a session Oz could not settle (docs/api.md §15).
  'REVIEW_ACCEPTED',
  'REVIEW_REJECTED',
] as const;
export type DecisionReason = (typeof DECISION_REASONS)[number];

/**
 * What the decision table reads of an Oz answer (a folder). Decisions own this shape; the Oz
 * gateway's folder type matches it, so nothing here depends on how Oz is reached.
 */
export interface AnalysisReport {
  resolutionStatus: string | null;
  systemResolution: string | null;
  analyses: ReportedAnalysis[];
}

export interface ReportedAnalysis {
  /** Uppercase: `QUALITY` (liveness) or `BIOMETRY` (face matching). */
  type: string;
  resolutionStatus: string | null;
  errorCode: number | null;
  errorMessage: string | null;
  /** QUALITY: one `confidence_spoofing` per media item that had one. */
  confidenceSpoofing: number[];
  /** BIOMETRY: `min_confidence`. */
  minConfidence: number | null;
}

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

/** A decision with its reason and the checks it was made from. */
export interface Assessment {
  decision: Decision;
  reason: DecisionReason;
  checks: Check[];
}
