import type { OzAnalysis, OzFolder } from '../oz-api/oz-folder';
import type { BiometryCheck, Decision, DecisionReason, LivenessCheck, Verdict } from './decision.types';

/**
 * Contract §4. Oz says to decide from the folder's top-level `resolution_status` and
 * `system_resolution` only; per-analysis values fill the checks. Comparisons are exact and
 * case-sensitive: a value we do not recognise must never let a person through.
 */
type Outcome = 'passed' | 'declined' | 'failed' | 'review' | 'unexpected';
type Ruling = { decision: Decision; reason: DecisionReason };

const LIVENESS_RULINGS: Record<Outcome, Ruling> = {
  passed: { decision: 'accepted', reason: 'LIVENESS_PASSED' },
  declined: { decision: 'rejected', reason: 'LIVENESS_DECLINED' },
  failed: { decision: 'inconclusive', reason: 'ANALYSIS_FAILED' },
  review: { decision: 'inconclusive', reason: 'REVIEW_REQUIRED' },
  unexpected: { decision: 'inconclusive', reason: 'UNEXPECTED_RESULT' },
};

const BIOMETRY_RULINGS: Record<Outcome, Ruling> = {
  ...LIVENESS_RULINGS,
  passed: { decision: 'accepted', reason: 'FACE_MATCHED' },
  declined: { decision: 'rejected', reason: 'FACE_MISMATCH' },
};

export function decideLiveness(folder: OzFolder): Verdict {
  return { ...LIVENESS_RULINGS[topLevelOutcome(folder)], checks: [livenessCheck(folder)] };
}

/**
 * The caller runs biometry only after an accepted liveness; the verdict nevertheless depends on
 * the biometry folder alone, so it accepts only when that folder itself is SUCCESS + FINISHED.
 */
export function decideBiometry(liveness: LivenessCheck, folder: OzFolder): Verdict {
  const biometry = findAnalysis(folder, 'BIOMETRY');
  return {
    ...BIOMETRY_RULINGS[biometryOutcome(folder, biometry)],
    checks: [liveness, biometryCheck(biometry)],
  };
}

function topLevelOutcome(folder: OzFolder): Outcome {
  const { systemResolution: system, resolutionStatus: status } = folder;
  if (system === 'FAILED' || status === 'FAILED') return 'failed';
  if (system === 'DECLINED') return 'declined';
  if (system === 'OPERATOR_REQUIRED' || status === 'OPERATOR_REQUIRED') return 'review';
  if (system === 'SUCCESS' && status === 'FINISHED') return 'passed';
  return 'unexpected';
}

// Oz may report a review for face matching on the BIOMETRY analysis alone, with no top-level
// system_resolution; that is still a review, not an unexpected answer.
function biometryOutcome(folder: OzFolder, biometry: OzAnalysis | undefined): Outcome {
  const outcome = topLevelOutcome(folder);
  const reviewOnAnalysis =
    folder.systemResolution === null && biometry?.resolutionStatus === 'OPERATOR_REQUIRED';
  return outcome === 'unexpected' && reviewOnAnalysis ? 'review' : outcome;
}

function livenessCheck(folder: OzFolder): LivenessCheck {
  const quality = findAnalysis(folder, 'QUALITY');
  return {
    type: 'liveness',
    resolution: quality?.resolutionStatus ?? null,
    // Lower is more live; with several media items the least live one speaks for all.
    score: highest(quality?.confidenceSpoofing ?? []),
    errorCode: quality?.errorCode ?? null,
    errorMessage: quality?.errorMessage ?? null,
  };
}

function biometryCheck(biometry: OzAnalysis | undefined): BiometryCheck {
  return {
    type: 'biometry',
    resolution: biometry?.resolutionStatus ?? null,
    similarity: biometry?.minConfidence ?? null,
    errorCode: biometry?.errorCode ?? null,
    errorMessage: biometry?.errorMessage ?? null,
  };
}

// The mapper already writes uppercase types; a folder built elsewhere (a fake) may not.
function findAnalysis(folder: OzFolder, type: 'QUALITY' | 'BIOMETRY'): OzAnalysis | undefined {
  return folder.analyses.find((analysis) => analysis.type.toUpperCase() === type);
}

// reduce rather than Math.max(...values): no argument-count limit on a long list.
function highest(values: number[]): number | null {
  return values.reduce<number | null>((max, value) => (max === null ? value : Math.max(max, value)), null);
}
