import fc from 'fast-check';
import { JPEG_BYTES, PNG_BYTES } from './oz-folder.fixtures';

/**
 * Arbitrary Oz wire folders for property tests: mostly plausible values (the real enum values,
 * near misses in another case or with a space) mixed with anything JSON could carry, so that
 * properties meet both the table's rows and the garbage around them.
 */
function resolutionValue(exact: string[], nearMisses: string[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: fc.constantFrom(...exact), weight: 6 },
    { arbitrary: fc.constantFrom(...nearMisses), weight: 3 },
    { arbitrary: fc.constantFrom(null, undefined, 0, 1, true), weight: 1 },
    { arbitrary: fc.anything(), weight: 1 },
  );
}

const systemResolution = resolutionValue(
  ['SUCCESS', 'DECLINED', 'FAILED', 'OPERATOR_REQUIRED'],
  ['success', 'Success', 'SUCCESS ', ' SUCCESS', 'declined', 'DECLINED ', 'PROCESSING', ''],
);
const resolutionStatus = resolutionValue(
  ['FINISHED', 'FAILED', 'OPERATOR_REQUIRED'],
  ['finished', 'Finished', 'FINISHED ', ' FINISHED', 'PROCESSING', ''],
);
const analysisResolution = resolutionValue(
  ['SUCCESS', 'DECLINED', 'FAILED', 'OPERATOR_REQUIRED', 'FINISHED'],
  ['success', 'operator_required', ''],
);

const numberish: fc.Arbitrary<unknown> = fc.oneof(
  fc.double(),
  fc.double({ min: 0, max: 1, noNaN: true }),
  fc.integer(),
  fc.constantFrom(null, '0.5', Number.NaN, Number.POSITIVE_INFINITY),
);

const jpegLike = fc.uint8Array({ maxLength: 24 }).map((tail) => Buffer.concat([JPEG_BYTES.subarray(0, 3), tail]));

const imageString: fc.Arbitrary<unknown> = fc.oneof(
  jpegLike.map((bytes) => bytes.toString('base64')),
  jpegLike.map((bytes) => `data:image/jpeg;base64,${bytes.toString('base64')}`),
  jpegLike.map((bytes) => bytes.toString('base64url')),
  fc.constantFrom(PNG_BYTES.toString('base64'), '/9j/4AAQ!!!!', '/9j/ 4AAQ', 'hello', 'IMAGE'),
  fc.base64String(),
  fc.string(),
  fc.anything(),
);

const outputImage: fc.Arbitrary<unknown> = fc.oneof(fc.dictionary(fc.string({ maxLength: 12 }), imageString, { maxKeys: 3 }), imageString);

const resultsMedia: fc.Arbitrary<unknown> = fc.oneof(
  {
    arbitrary: fc.record(
      {
        results_data: fc.oneof(fc.record({ confidence_spoofing: numberish }, { requiredKeys: [] }), fc.anything()),
        output_images: fc.oneof(fc.array(outputImage, { maxLength: 3 }), fc.anything()),
      },
      { requiredKeys: [] },
    ),
    weight: 4,
  },
  { arbitrary: fc.anything(), weight: 1 },
);

const analysis: fc.Arbitrary<unknown> = fc.oneof(
  {
    arbitrary: fc.record(
      {
        type: fc.oneof(fc.constantFrom('QUALITY', 'quality', 'BIOMETRY', 'biometry', 'Quality', 'DOCUMENTS'), fc.anything()),
        analysis_id: fc.uuid(),
        analyse_id: fc.uuid(),
        state: analysisResolution,
        resolution_status: analysisResolution,
        error_code: fc.oneof(fc.integer({ min: 0, max: 20 }), numberish, fc.string()),
        error_message: fc.oneof(fc.string(), fc.anything()),
        results_data: fc.oneof(fc.record({ min_confidence: numberish }, { requiredKeys: [] }), fc.anything()),
        results_media: fc.oneof(fc.array(resultsMedia, { maxLength: 3 }), fc.anything()),
      },
      { requiredKeys: [] },
    ),
    weight: 5,
  },
  { arbitrary: fc.anything(), weight: 1 },
);

export const wireFolderArbitrary: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    folder_id: fc.oneof(fc.uuid(), fc.anything()),
    resolution_status: resolutionStatus,
    system_resolution: systemResolution,
    resolution_comment: fc.string(),
    meta_data: fc.oneof(fc.record({ event_session_id: fc.oneof(fc.string(), fc.anything()) }, { requiredKeys: [] }), fc.anything()),
    analyses: fc.oneof({ arbitrary: fc.array(analysis, { maxLength: 4 }), weight: 5 }, { arbitrary: fc.anything(), weight: 1 }),
  },
  // Missing top-level fields come from `undefined` values; keeping the keys makes the table's
  // rows, and the near misses a lenient comparison would wrongly accept, frequent enough.
  { requiredKeys: ['resolution_status', 'system_resolution'] },
);

/** Any body at all, or a plausible folder: what a 2xx from Oz could contain. */
export const anyWireBody: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: wireFolderArbitrary, weight: 3 },
  { arbitrary: fc.anything(), weight: 1 },
);
