import { ozAnalysis, ozFolder } from '../../fixtures/oz-folders';
import { decideBiometry, decideLiveness } from '../../../src/decision/decision';
import type { LivenessCheck } from '../../../src/decision/decision.types';

const PASSED_LIVENESS: LivenessCheck = { type: 'liveness', resolution: 'SUCCESS', score: 0.03, errorCode: null, errorMessage: null };

function biometryFolder(overrides: Parameters<typeof ozFolder>[0] = {}) {
  return ozFolder({ analyses: [ozAnalysis({ type: 'BIOMETRY', minConfidence: 0.97 })], ...overrides });
}

describe('decideLiveness', () => {
  it('accepts with LIVENESS_PASSED when system_resolution is SUCCESS and resolution_status FINISHED', () => {
    expect(decideLiveness(ozFolder())).toMatchObject({ decision: 'accepted', reason: 'LIVENESS_PASSED' });
  });

  it('rejects with LIVENESS_DECLINED when system_resolution is DECLINED', () => {
    expect(decideLiveness(ozFolder({ systemResolution: 'DECLINED' }))).toMatchObject({ decision: 'rejected', reason: 'LIVENESS_DECLINED' });
  });

  it.each([
    ['system_resolution is FAILED', { systemResolution: 'FAILED' }],
    ['resolution_status is FAILED while system_resolution says SUCCESS', { resolutionStatus: 'FAILED' }],
    ['resolution_status is FAILED while system_resolution says DECLINED', { resolutionStatus: 'FAILED', systemResolution: 'DECLINED' }],
    ['both are FAILED', { resolutionStatus: 'FAILED', systemResolution: 'FAILED' }],
  ])('is inconclusive with ANALYSIS_FAILED when %s', (_, overrides) => {
    expect(decideLiveness(ozFolder(overrides))).toMatchObject({ decision: 'inconclusive', reason: 'ANALYSIS_FAILED' });
  });

  it('is inconclusive with REVIEW_REQUIRED when system_resolution is OPERATOR_REQUIRED', () => {
    const verdict = decideLiveness(ozFolder({ systemResolution: 'OPERATOR_REQUIRED' }));

    expect(verdict).toMatchObject({ decision: 'inconclusive', reason: 'REVIEW_REQUIRED' });
  });

  it.each([
    ['system_resolution is missing', { systemResolution: null }],
    ['system_resolution is lowercase success', { systemResolution: 'success' }],
    ['system_resolution carries a space', { systemResolution: 'SUCCESS ' }],
    ['system_resolution is an unknown value', { systemResolution: 'APPROVED' }],
    ['system_resolution is lowercase declined', { systemResolution: 'declined' }],
    ['system_resolution is DECLINED with a space', { systemResolution: 'DECLINED ' }],
    ['SUCCESS comes without resolution_status', { resolutionStatus: null }],
    ['SUCCESS comes with resolution_status PROCESSING', { resolutionStatus: 'PROCESSING' }],
    ['resolution_status is lowercase finished', { resolutionStatus: 'finished' }],
    ['both fields are missing', { systemResolution: null, resolutionStatus: null }],
  ])('is inconclusive with UNEXPECTED_RESULT when %s', (_, overrides) => {
    expect(decideLiveness(ozFolder(overrides))).toMatchObject({ decision: 'inconclusive', reason: 'UNEXPECTED_RESULT' });
  });

  it('decides from the top level, not from the analysis resolution', () => {
    const declinedAnalysis = ozFolder({ analyses: [ozAnalysis({ resolutionStatus: 'DECLINED' })] });
    const passedAnalysis = ozFolder({ systemResolution: 'DECLINED', analyses: [ozAnalysis({ resolutionStatus: 'SUCCESS' })] });

    expect(decideLiveness(declinedAnalysis).decision).toBe('accepted');
    expect(decideLiveness(passedAnalysis).decision).toBe('rejected');
  });

  it('reports the QUALITY analysis as the liveness check, with the highest confidence_spoofing as score', () => {
    const quality = ozAnalysis({ resolutionStatus: 'DECLINED', confidenceSpoofing: [0.2, 0.91, 0.5], errorCode: 4, errorMessage: 'x' });
    const folder = ozFolder({ analyses: [ozAnalysis({ type: 'BIOMETRY', resolutionStatus: 'SUCCESS' }), quality] });

    expect(decideLiveness(folder).checks).toEqual([{ type: 'liveness', resolution: 'DECLINED', score: 0.91, errorCode: 4, errorMessage: 'x' }]);
  });

  it('gives a null score when the QUALITY analysis has no confidence', () => {
    const folder = ozFolder({ analyses: [ozAnalysis({ confidenceSpoofing: [] })] });

    expect(decideLiveness(folder).checks).toEqual([{ type: 'liveness', resolution: 'SUCCESS', score: null, errorCode: null, errorMessage: null }]);
  });

  it('gives a liveness check of nulls when there is no QUALITY analysis', () => {
    const verdict = decideLiveness(ozFolder({ analyses: [ozAnalysis({ type: 'BIOMETRY', confidenceSpoofing: [0.4] })] }));

    expect(verdict.checks).toEqual([{ type: 'liveness', resolution: null, score: null, errorCode: null, errorMessage: null }]);
  });

  it('finds the QUALITY analysis of a folder built with a lowercase type', () => {
    const folder = ozFolder({ analyses: [ozAnalysis({ type: 'quality', confidenceSpoofing: [0.1] })] });

    expect(decideLiveness(folder).checks).toEqual([{ type: 'liveness', resolution: 'SUCCESS', score: 0.1, errorCode: null, errorMessage: null }]);
  });
});

describe('decideBiometry', () => {
  it('accepts with FACE_MATCHED when system_resolution is SUCCESS and resolution_status FINISHED', () => {
    expect(decideBiometry(PASSED_LIVENESS, biometryFolder())).toEqual({
      decision: 'accepted',
      reason: 'FACE_MATCHED',
      checks: [PASSED_LIVENESS, { type: 'biometry', resolution: 'SUCCESS', similarity: 0.97, errorCode: null, errorMessage: null }],
    });
  });

  it('rejects with FACE_MISMATCH when system_resolution is DECLINED', () => {
    const folder = biometryFolder({
      systemResolution: 'DECLINED',
      analyses: [ozAnalysis({ type: 'BIOMETRY', resolutionStatus: 'DECLINED', minConfidence: 0.12 })],
    });

    expect(decideBiometry(PASSED_LIVENESS, folder)).toEqual({
      decision: 'rejected',
      reason: 'FACE_MISMATCH',
      checks: [PASSED_LIVENESS, { type: 'biometry', resolution: 'DECLINED', similarity: 0.12, errorCode: null, errorMessage: null }],
    });
  });

  it('is inconclusive with ANALYSIS_FAILED when the folder failed, reporting the analysis error', () => {
    const failed = ozAnalysis({ type: 'BIOMETRY', state: 'FAILED', resolutionStatus: 'FAILED', errorCode: 11, errorMessage: 'External service error' });
    const verdict = decideBiometry(PASSED_LIVENESS, biometryFolder({ resolutionStatus: 'FAILED', systemResolution: 'FAILED', analyses: [failed] }));

    expect(verdict).toEqual({
      decision: 'inconclusive',
      reason: 'ANALYSIS_FAILED',
      checks: [PASSED_LIVENESS, { type: 'biometry', resolution: 'FAILED', similarity: null, errorCode: 11, errorMessage: 'External service error' }],
    });
  });

  it('is inconclusive with REVIEW_REQUIRED when the top level says OPERATOR_REQUIRED', () => {
    const verdict = decideBiometry(PASSED_LIVENESS, biometryFolder({ systemResolution: 'OPERATOR_REQUIRED' }));

    expect(verdict).toMatchObject({ decision: 'inconclusive', reason: 'REVIEW_REQUIRED' });
  });

  it('is inconclusive with REVIEW_REQUIRED when system_resolution is missing and the BIOMETRY analysis says OPERATOR_REQUIRED', () => {
    const folder = biometryFolder({ systemResolution: null, analyses: [ozAnalysis({ type: 'BIOMETRY', resolutionStatus: 'OPERATOR_REQUIRED' })] });

    expect(decideBiometry(PASSED_LIVENESS, folder)).toMatchObject({ decision: 'inconclusive', reason: 'REVIEW_REQUIRED' });
  });

  it('is inconclusive with UNEXPECTED_RESULT when an unknown system_resolution comes with an OPERATOR_REQUIRED analysis', () => {
    const folder = biometryFolder({ systemResolution: 'PENDING', analyses: [ozAnalysis({ type: 'BIOMETRY', resolutionStatus: 'OPERATOR_REQUIRED' })] });

    expect(decideBiometry(PASSED_LIVENESS, folder)).toMatchObject({ decision: 'inconclusive', reason: 'UNEXPECTED_RESULT' });
  });

  it.each([
    ['system_resolution is missing although the analysis says SUCCESS', { systemResolution: null }],
    ['system_resolution is lowercase success', { systemResolution: 'success' }],
    ['SUCCESS comes without FINISHED', { resolutionStatus: null }],
  ])('is inconclusive with UNEXPECTED_RESULT when %s, even after an accepted liveness', (_, overrides) => {
    expect(decideBiometry(PASSED_LIVENESS, biometryFolder(overrides))).toMatchObject({ decision: 'inconclusive', reason: 'UNEXPECTED_RESULT' });
  });

  it('gives a biometry check of nulls when there is no BIOMETRY analysis', () => {
    const verdict = decideBiometry(PASSED_LIVENESS, ozFolder({ analyses: [ozAnalysis({ minConfidence: 0.9 })] }));

    expect(verdict.checks).toEqual([PASSED_LIVENESS, { type: 'biometry', resolution: null, similarity: null, errorCode: null, errorMessage: null }]);
  });
});
