import fc from 'fast-check';
import { toOzFolder } from '../../../src/oz-api/folder.mapper';
import type { OzFolder } from '../../../src/oz-api/oz-folder';
import { anyWireBody } from '../../fixtures/wire-folder.arbitrary';
import { decideBiometry, decideLiveness } from '../../../src/decision/decision';
import type { LivenessCheck, Assessment } from '../../../src/decision/decision.types';

const livenessCheck: fc.Arbitrary<LivenessCheck> = fc.record({
  type: fc.constant('liveness' as const),
  resolution: fc.option(fc.constantFrom('SUCCESS', 'DECLINED', 'FAILED')),
  score: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
  errorCode: fc.option(fc.integer()),
  errorMessage: fc.option(fc.string()),
});

function topLevel(wire: unknown): Record<string, unknown> {
  return typeof wire === 'object' && wire !== null ? (wire as Record<string, unknown>) : {};
}

function isExactSuccess(wire: unknown): boolean {
  const { system_resolution: system, resolution_status: status } = topLevel(wire);
  return system === 'SUCCESS' && status === 'FINISHED';
}

/** Accepted exactly when the wire's top level is SUCCESS + FINISHED, spelled exactly so. */
function acceptanceFollowsTopLevel(decide: (folder: OzFolder) => Assessment) {
  return fc.property(anyWireBody, (wire) => {
    expect(decide(toOzFolder(wire)).decision === 'accepted').toBe(isExactSuccess(wire));
  });
}

// An oracle written against the wire, independently of the mapper's helpers.
function expectedScore(wire: unknown): number | null {
  const analyses = topLevel(wire).analyses;
  const quality = (Array.isArray(analyses) ? analyses : []).find(
    (a) => typeof a === 'object' && a !== null && !Array.isArray(a) && typeof a.type === 'string' && a.type.toUpperCase() === 'QUALITY',
  ) as Record<string, unknown> | undefined;
  const media = Array.isArray(quality?.results_media) ? quality.results_media : [];
  const confidences = media
    .map((item) => (item as { results_data?: { confidence_spoofing?: unknown } } | null)?.results_data?.confidence_spoofing)
    .filter((c): c is number => typeof c === 'number' && Number.isFinite(c));
  return confidences.length > 0 ? Math.max(...confidences) : null;
}

describe('decisions over arbitrary Oz folders', () => {
  it('never throws while mapping any body, and keeps every value to its declared type', () => {
    fc.assert(
      fc.property(anyWireBody, (wire) => {
        const folder = toOzFolder(wire);
        for (const value of [folder.folderId, folder.resolutionStatus, folder.systemResolution, folder.eventSessionId]) {
          expect(value === null || typeof value === 'string').toBe(true);
        }
        for (const analysis of folder.analyses) {
          expect(analysis.errorCode === null || Number.isInteger(analysis.errorCode)).toBe(true);
          expect(analysis.confidenceSpoofing.every(Number.isFinite)).toBe(true);
          expect(analysis.minConfidence === null || Number.isFinite(analysis.minConfidence)).toBe(true);
        }
      }),
    );
  });

  it('accepts liveness if and only if system_resolution is exactly SUCCESS and resolution_status exactly FINISHED', () => {
    fc.assert(acceptanceFollowsTopLevel(decideLiveness));
  });

  it('accepts biometry if and only if the biometry folder is exactly SUCCESS and FINISHED, whatever the liveness check', () => {
    fc.assert(
      fc.property(livenessCheck, anyWireBody, (liveness, wire) => {
        const verdict = decideBiometry(liveness, toOzFolder(wire));
        expect(verdict.decision === 'accepted').toBe(isExactSuccess(wire));
        expect(verdict.reason === 'FACE_MATCHED').toBe(isExactSuccess(wire));
        expect(verdict.checks[0]).toBe(liveness);
      }),
    );
  });

  it('rejects only when system_resolution is exactly DECLINED and nothing FAILED', () => {
    fc.assert(
      fc.property(anyWireBody, (wire) => {
        const { system_resolution: system, resolution_status: status } = topLevel(wire);
        const expected = system === 'DECLINED' && status !== 'FAILED';
        expect(decideLiveness(toOzFolder(wire)).decision === 'rejected').toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('scores liveness with the highest finite confidence_spoofing of the QUALITY analysis, or null', () => {
    fc.assert(
      fc.property(anyWireBody, (wire) => {
        const [check] = decideLiveness(toOzFolder(wire)).checks;
        expect(check.type === 'liveness' && check.score).toBe(expectedScore(wire));
      }),
    );
  });

  it('finds a best shot only when it starts with the JPEG marker FF D8 FF', () => {
    fc.assert(
      fc.property(anyWireBody, (wire) => {
        const shot = toOzFolder(wire).bestShot;
        expect(shot === null || (shot.length >= 3 && shot[0] === 0xff && shot[1] === 0xd8 && shot[2] === 0xff)).toBe(true);
      }),
    );
  });

  it.each([
    [
      'compares without case',
      (f: OzFolder) => ({ ...f, systemResolution: f.systemResolution?.toUpperCase() ?? null, resolutionStatus: f.resolutionStatus?.toUpperCase() ?? null }),
    ],
    ['trims values', (f: OzFolder) => ({ ...f, systemResolution: f.systemResolution?.trim() ?? null, resolutionStatus: f.resolutionStatus?.trim() ?? null })],
    ['ignores resolution_status', (f: OzFolder) => ({ ...f, resolutionStatus: f.systemResolution === 'SUCCESS' ? 'FINISHED' : f.resolutionStatus })],
  ])('the acceptance property catches a decision that %s', (_, lenient) => {
    const result = fc.check(
      acceptanceFollowsTopLevel((folder) => decideLiveness(lenient(folder))),
      { numRuns: 1000 },
    );

    expect(result.failed).toBe(true);
  });
});
