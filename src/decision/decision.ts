import type { AnalysisReport, Assessment, BiometryCheck, Decision, DecisionReason, LivenessCheck, ReportedAnalysis } from './decision.types';

/**
 * Contract §4. Oz says to decide from the folder's top-level `resolution_status` and
 * `system_resolution` only; per-analysis values fill the checks. Comparisons are exact and
 * case-sensitive: a value we do not recognise must never let a person through.
 */
type ResultKind = 'passed' | 'declined' | 'failed' | 'review' | 'unexpected';

const LIVENESS_TABLE: Record<ResultKind, { decision: Decision; reason: DecisionReason }> = {
  passed: { decision: 'accepted', reason: 'LIVENESS_PASSED' },
  declined: { decision: 'rejected', reason: 'LIVENESS_DECLINED' },
  failed: { decision: 'inconclusive', reason: 'ANALYSIS_FAILED' },
  review: { decision: 'inconclusive', reason: 'REVIEW_REQUIRED' },
  unexpected: { decision: 'inconclusive', reason: 'UNEXPECTED_RESULT' },
};

const BIOMETRY_TABLE: typeof LIVENESS_TABLE = {
  ...LIVENESS_TABLE,
  passed: { decision: 'accepted', reason: 'FACE_MATCHED' },
  declined: { decision: 'rejected', reason: 'FACE_MISMATCH' },
};

export function decideLiveness(report: AnalysisReport): Assessment {
  return { ...LIVENESS_TABLE[topLevelKind(report)], checks: [livenessCheck(report)] };
}

/**
 * The caller runs biometry only after an accepted liveness; the assessment nevertheless depends
 * on the biometry report alone, so it accepts only when that report itself is SUCCESS + FINISHED.
 */
export function decideBiometry(liveness: LivenessCheck, report: AnalysisReport): Assessment {
  const biometry = findAnalysis(report, 'BIOMETRY');
  return {
    ...BIOMETRY_TABLE[biometryKind(report, biometry)],
    checks: [liveness, biometryCheck(biometry)],
  };
}

function topLevelKind(report: AnalysisReport): ResultKind {
  const { systemResolution: system, resolutionStatus: status } = report;
  if (system === 'FAILED' || status === 'FAILED') return 'failed';
  if (system === 'DECLINED') return 'declined';
  if (system === 'OPERATOR_REQUIRED' || status === 'OPERATOR_REQUIRED') return 'review';
  if (system === 'SUCCESS' && status === 'FINISHED') return 'passed';
  return 'unexpected';
}

// Oz may report a review for face matching on the BIOMETRY analysis alone, with no top-level
// system_resolution; that is still a review, not an unexpected answer.
function biometryKind(report: AnalysisReport, biometry: ReportedAnalysis | undefined): ResultKind {
  const kind = topLevelKind(report);
  const reviewOnAnalysis = report.systemResolution === null && biometry?.resolutionStatus === 'OPERATOR_REQUIRED';
  return kind === 'unexpected' && reviewOnAnalysis ? 'review' : kind;
}

function livenessCheck(report: AnalysisReport): LivenessCheck {
  const quality = findAnalysis(report, 'QUALITY');
  return {
    type: 'liveness',
    resolution: quality?.resolutionStatus ?? null,
    // Lower is more live; with several media items the least live one speaks for all.
    score: highest(quality?.confidenceSpoofing ?? []),
    errorCode: quality?.errorCode ?? null,
    errorMessage: quality?.errorMessage ?? null,
  };
}

function biometryCheck(biometry: ReportedAnalysis | undefined): BiometryCheck {
  return {
    type: 'biometry',
    resolution: biometry?.resolutionStatus ?? null,
    similarity: biometry?.minConfidence ?? null,
    errorCode: biometry?.errorCode ?? null,
    errorMessage: biometry?.errorMessage ?? null,
  };
}

// The gateway already writes uppercase types; a report built elsewhere (a fake) may not.
function findAnalysis(report: AnalysisReport, type: 'QUALITY' | 'BIOMETRY'): ReportedAnalysis | undefined {
  return report.analyses.find((analysis) => analysis.type.toUpperCase() === type);
}

// reduce rather than Math.max(...values): no argument-count limit on a long list.
function highest(values: number[]): number | null {
  return values.reduce<number | null>((max, value) => (max === null ? value : Math.max(max, value)), null);
}
