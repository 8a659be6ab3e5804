import { isOzFolderShape, toOzFolder } from '../../../src/oz-api/folder.mapper';
import type { OzFolder } from '../../../src/oz-api/oz-folder';
import { JPEG_BYTES, wireBiometryAnalysis, wireFolder, wireQualityAnalysis } from '../../fixtures/oz-folders';

const EMPTY_FOLDER: OzFolder = {
  folderId: null,
  resolutionStatus: null,
  systemResolution: null,
  eventSessionId: null,
  analyses: [],
  bestShot: null,
};

describe('toOzFolder', () => {
  it('maps a successful liveness folder into our shape with the best shot bytes', () => {
    const folder = toOzFolder(wireFolder());

    expect(folder).toEqual({
      folderId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
      resolutionStatus: 'FINISHED',
      systemResolution: 'SUCCESS',
      eventSessionId: 'evt-123',
      analyses: [
        {
          type: 'QUALITY',
          state: 'FINISHED',
          resolutionStatus: 'SUCCESS',
          errorCode: null,
          errorMessage: null,
          confidenceSpoofing: [0.03],
          minConfidence: null,
        },
      ],
      bestShot: JPEG_BYTES,
    });
  });

  it('maps a failed analysis with its integer error code and message', () => {
    const wire = wireFolder({
      resolution_status: 'FAILED',
      system_resolution: 'FAILED',
      analyses: [
        wireQualityAnalysis({ state: 'FAILED', resolution_status: 'FAILED', error_code: 11, error_message: 'External service error', results_media: [] }),
      ],
    });

    expect(toOzFolder(wire).analyses[0]).toMatchObject({ state: 'FAILED', resolutionStatus: 'FAILED', errorCode: 11, errorMessage: 'External service error' });
  });

  it('keeps resolution values exactly as sent, so that the decision can refuse unknown spellings', () => {
    const folder = toOzFolder(wireFolder({ system_resolution: 'success', resolution_status: ' FINISHED' }));

    expect(folder.systemResolution).toBe('success');
    expect(folder.resolutionStatus).toBe(' FINISHED');
  });

  it('writes analysis types in uppercase whatever their case on the wire', () => {
    const folder = toOzFolder(wireFolder({ analyses: [wireQualityAnalysis({ type: 'quality' }), wireBiometryAnalysis({ type: 'Biometry' }), { type: 7 }] }));

    expect(folder.analyses.map((analysis) => analysis.type)).toEqual(['QUALITY', 'BIOMETRY', '']);
  });

  it('maps BIOMETRY min_confidence, and an older analysis spelled with analyse_id', () => {
    const { analysis_id: _, ...biometry } = wireBiometryAnalysis({ analyse_id: 'old-id' });

    expect(toOzFolder(wireFolder({ analyses: [biometry] })).analyses[0]).toMatchObject({ type: 'BIOMETRY', minConfidence: 0.97 });
  });

  it('turns values of the wrong type into null', () => {
    const wire = {
      folder_id: 123,
      resolution_status: ['FINISHED'],
      system_resolution: { value: 'SUCCESS' },
      meta_data: { event_session_id: 42 },
      analyses: [
        { type: 'BIOMETRY', state: false, resolution_status: null, error_code: '14', error_message: { text: 'x' }, results_data: { min_confidence: '0.97' } },
      ],
    };

    expect(toOzFolder(wire)).toEqual({
      ...EMPTY_FOLDER,
      analyses: [{ type: 'BIOMETRY', state: null, resolutionStatus: null, errorCode: null, errorMessage: null, confidenceSpoofing: [], minConfidence: null }],
    });
  });

  it.each([1.5, NaN, Infinity, '3', null])('maps error_code %p to null because it is not an integer', (errorCode) => {
    const folder = toOzFolder(wireFolder({ analyses: [wireQualityAnalysis({ error_code: errorCode })] }));

    expect(folder.analyses[0].errorCode).toBeNull();
  });

  it.each([NaN, Infinity, -Infinity, '0.9', true])('maps min_confidence %p to null because it is not a finite number', (value) => {
    const folder = toOzFolder(wireFolder({ analyses: [wireBiometryAnalysis({ results_data: { min_confidence: value } })] }));

    expect(folder.analyses[0].minConfidence).toBeNull();
  });

  it('collects every finite confidence_spoofing in order and skips the rest', () => {
    const resultsMedia = [
      { results_data: { confidence_spoofing: 0.2 } },
      { results_data: { confidence_spoofing: '0.9' } },
      { results_data: { confidence_spoofing: NaN } },
      { results_data: null },
      'not media',
      {},
      { results_data: { confidence_spoofing: 0 } },
      { results_data: { confidence_spoofing: 0.71 } },
    ];

    const folder = toOzFolder(wireFolder({ analyses: [wireQualityAnalysis({ results_media: resultsMedia })] }));

    expect(folder.analyses[0].confidenceSpoofing).toEqual([0.2, 0, 0.71]);
  });

  it('leaves out analyses entries that are not objects', () => {
    const folder = toOzFolder(wireFolder({ analyses: [null, 'QUALITY', ['QUALITY'], 3, wireBiometryAnalysis()] }));

    expect(folder.analyses.map((analysis) => analysis.type)).toEqual(['BIOMETRY']);
  });

  it('gives a null event session id when meta_data is not an object', () => {
    expect(toOzFolder(wireFolder({ meta_data: 'evt-123' })).eventSessionId).toBeNull();
  });

  it('gives no analyses and no best shot when analyses is not an array', () => {
    const folder = toOzFolder(wireFolder({ analyses: wireQualityAnalysis() }));

    expect(folder.analyses).toEqual([]);
    expect(folder.bestShot).toBeNull();
  });

  it.each([null, undefined, 'folder', 42, true, [], [wireFolder()]])('gives a folder of nulls and empties when the body is %p', (wire) => {
    expect(toOzFolder(wire)).toEqual(EMPTY_FOLDER);
  });
});

describe('isOzFolderShape', () => {
  it.each([{}, wireFolder(), { error_code: 0 }])('says yes to a JSON object (%#)', (wire) => {
    expect(isOzFolderShape(wire)).toBe(true);
  });

  it.each([null, undefined, '', 'folder', 0, true, [], [{}]])('says no to %p', (wire) => {
    expect(isOzFolderShape(wire)).toBe(false);
  });
});
