import { buildReferenceImage, OzEmulator, startOzEmulator } from './index';
import { bestShotOf, biometryForm, ImageUpload, postBiometry, submit, tagsFor } from './test-kit';

const BIOMETRY = [{ type: 'biometry' }];

describe('Oz emulator: face matching (multipart POST /api/instant/folders/)', () => {
  let emulator: OzEmulator;

  beforeAll(async () => {
    emulator = await startOzEmulator();
  });
  afterAll(() => emulator.close());

  function match(images: ImageUpload[], extra: Record<string, unknown> = {}) {
    return postBiometry(emulator, biometryForm(images, { 'media:tags': tagsFor(images), analyses: BIOMETRY, ...extra }));
  }

  const pair = (first: Buffer, second: Buffer): ImageUpload[] => [
    { field: 'reference.jpg', bytes: first },
    { field: 'selfie.jpg', bytes: second },
  ];

  it('answers SUCCESS with min_confidence >= 0.85 when the reference and the best shot show the same person', async () => {
    const liveness = await submit(emulator, { person: 'carol-3' });

    const { status, body } = await match(pair(buildReferenceImage('carol-3'), bestShotOf(liveness.body)), {
      'folder:meta_data': { event_session_id: 'evt-bio' },
    });

    expect(status).toBe(201);
    expect(body).toMatchObject({ resolution_status: 'FINISHED', system_resolution: 'SUCCESS', meta_data: { event_session_id: 'evt-bio' } });
    expect(body.media.map((media: { original_name: string }) => media.original_name)).toEqual(['reference.jpg', 'selfie.jpg']);
    const [biometry] = body.analyses;
    expect(biometry).toMatchObject({ type: 'BIOMETRY', state: 'FINISHED', resolution_status: 'SUCCESS' });
    expect(biometry.results_data.min_confidence).toBeGreaterThanOrEqual(0.85);
    expect(biometry.results_data.max_confidence).toBeGreaterThanOrEqual(biometry.results_data.min_confidence);
    expect(biometry.source_media).toHaveLength(2);
  });

  it('answers DECLINED with low scores when the images show different people', async () => {
    const { status, body } = await match(pair(buildReferenceImage('carol-3'), buildReferenceImage('dave-9')));

    expect(status).toBe(201);
    expect(body).toMatchObject({ resolution_status: 'FINISHED', system_resolution: 'DECLINED' });
    expect(body.analyses[0]).toMatchObject({ state: 'FINISHED', resolution_status: 'DECLINED' });
    expect(body.analyses[0].results_data.min_confidence).toBeLessThan(0.85);
  });

  it('answers DECLINED when one image carries no emulator identity', async () => {
    const foreignJpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x02, 0xff, 0xd9]);

    const { body } = await match(pair(buildReferenceImage('carol-3'), foreignJpeg));

    expect(body.system_resolution).toBe('DECLINED');
  });

  it('answers OPERATOR_REQUIRED when both images show a person whose id starts with review-', async () => {
    const { status, body } = await match(pair(buildReferenceImage('review-7'), buildReferenceImage('review-7')));

    expect(status).toBe(201);
    expect(body).toMatchObject({ resolution_status: 'FINISHED', system_resolution: 'OPERATOR_REQUIRED' });
    expect(body.analyses[0]).toMatchObject({ state: 'FINISHED', resolution_status: 'OPERATOR_REQUIRED' });
  });

  it('answers a FAILED analysis with error_code when a person id starts with biofail-', async () => {
    const { status, body } = await match(pair(buildReferenceImage('biofail-1'), buildReferenceImage('biofail-1')));

    expect(status).toBe(201);
    expect(body).toMatchObject({ resolution_status: 'FAILED', system_resolution: 'FAILED' });
    expect(body.analyses[0]).toMatchObject({ state: 'FAILED', resolution_status: 'FAILED', error_code: 301, error_message: expect.any(String) });
    expect(body.resolution_comment).toContain('301');
  });

  describe('answers 400 with an Oz error body', () => {
    const images = pair(buildReferenceImage('carol-3'), buildReferenceImage('carol-3'));
    const payload = { 'media:tags': tagsFor(images), analyses: BIOMETRY };
    const badRequest = (code: number) => ({
      status: 400,
      body: { error_code: code, error_message: 'Invalid request data', details: { reason: expect.any(String) } },
    });

    it.each<[string, ImageUpload[], unknown, number]>([
      ['there is no payload part', images, undefined, 3],
      ['the payload is not JSON', images, '{"media:tags":', 3],
      ['the payload has no media:tags', images, { analyses: BIOMETRY }, 3],
      ['the payload has no analyses', images, { 'media:tags': payload['media:tags'] }, 3],
      ['an analysis type is unknown', images, { ...payload, analyses: [{ type: 'telepathy' }] }, 4],
      ['a filename differs from its field name', [images[0], { ...images[1], filename: 'other.jpg' }], payload, 4],
      ['a media:tags key has no part', [images[0]], payload, 4],
      ['a part has no media:tags entry', [...images, { field: 'extra.jpg', bytes: images[0].bytes }], payload, 4],
      ['only one image is sent', [images[0]], { ...payload, 'media:tags': { 'reference.jpg': ['photo_selfie'] } }, 4],
      ['a part is not an image', [images[0], { ...images[1], bytes: Buffer.from('%PDF-1.7') }], payload, 5],
    ])('when %s', async (_condition, parts, body, code) => {
      expect(await postBiometry(emulator, biometryForm(parts, body))).toEqual(badRequest(code));
    });
  });
});
