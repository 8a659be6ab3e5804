import type { OzAnalysis, OzFolder } from '../oz-folder';

/** A tiny JPEG-looking payload: SOI + APP0 marker, some bytes, EOI. Enough for magic-byte checks. */
export const JPEG_BYTES = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0xff, 0xd9]);
export const PNG_BYTES = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]);

type WireObject = Record<string, unknown>;

/** A QUALITY analysis as Oz sends it, with one results_media item holding the best shot. */
export function wireQualityAnalysis(overrides: WireObject = {}): WireObject {
  return {
    analysis_id: 'a1b2c3',
    type: 'QUALITY',
    state: 'FINISHED',
    resolution_status: 'SUCCESS',
    results_media: [
      {
        results_data: { confidence_spoofing: 0.03 },
        output_images: [{ original_url: JPEG_BYTES.toString('base64') }],
      },
    ],
    ...overrides,
  };
}

export function wireBiometryAnalysis(overrides: WireObject = {}): WireObject {
  return {
    analysis_id: 'd4e5f6',
    type: 'BIOMETRY',
    state: 'FINISHED',
    resolution_status: 'SUCCESS',
    results_data: { min_confidence: 0.97, max_confidence: 0.99 },
    ...overrides,
  };
}

/** A successful liveness folder as Oz sends it (snake_case). */
export function wireFolder(overrides: WireObject = {}): WireObject {
  return {
    folder_id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
    resolution_status: 'FINISHED',
    system_resolution: 'SUCCESS',
    resolution_comment: '',
    meta_data: { event_session_id: 'evt-123' },
    analyses: [wireQualityAnalysis()],
    ...overrides,
  };
}

export function ozAnalysis(overrides: Partial<OzAnalysis> = {}): OzAnalysis {
  return {
    type: 'QUALITY',
    state: 'FINISHED',
    resolutionStatus: 'SUCCESS',
    errorCode: null,
    errorMessage: null,
    confidenceSpoofing: [],
    minConfidence: null,
    ...overrides,
  };
}

/** A successful folder in our own shape, for decision and service tests. */
export function ozFolder(overrides: Partial<OzFolder> = {}): OzFolder {
  return {
    folderId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
    resolutionStatus: 'FINISHED',
    systemResolution: 'SUCCESS',
    eventSessionId: 'evt-123',
    analyses: [ozAnalysis({ confidenceSpoofing: [0.03] })],
    bestShot: null,
    ...overrides,
  };
}
