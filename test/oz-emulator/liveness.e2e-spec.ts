import { buildContainer, isJpeg, OzEmulator, personOfImage, startOzEmulator } from './index';
import { bestShotOf, postContainer, postLargeContainer, readAnswer, submit } from './test-kit';

const invalid = (code: number) => ({ status: 400, body: { error_code: code, error_message: 'Invalid request data', details: null } });

describe('Oz emulator: liveness (POST /api/instant/folders/ with a container)', () => {
  let emulator: OzEmulator;

  beforeAll(async () => {
    emulator = await startOzEmulator();
  });
  afterAll(() => emulator.close());

  it('answers 201 with a SUCCESS folder and a low spoofing score for a live container', async () => {
    const { status, body } = await submit(emulator, { scenario: 'live', eventSessionId: 'evt-42' });

    expect(status).toBe(201);
    expect(body).toMatchObject({
      folder_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      resolution_status: 'FINISHED',
      system_resolution: 'SUCCESS',
      resolution_comment: '[]',
      meta_data: { event_session_id: 'evt-42' },
      media: [expect.objectContaining({ media_id: expect.any(String) })],
      group_id: expect.any(String),
      operator_comment: null,
      operator_status: null,
      is_cleared: false,
    });
    const [quality] = body.analyses;
    expect(quality).toMatchObject({ analysis_id: expect.any(String), type: 'QUALITY', state: 'FINISHED', resolution_status: 'SUCCESS' });
    expect(quality.source_media).toHaveLength(1);
    expect(quality.results_media[0].results_data.confidence_spoofing).toBeGreaterThanOrEqual(0.01);
    expect(quality.results_media[0].results_data.confidence_spoofing).toBeLessThanOrEqual(0.05);
    expect(quality).not.toHaveProperty('error_code');
  });

  it('returns the best shot as a base64 JPEG after a non-image string, carrying the container person', async () => {
    const { body } = await submit(emulator, { person: 'alice-7' });

    const image = body.analyses[0].results_media[0].output_images[0];
    expect(Object.keys(image)[0]).toBe('image_type');
    expect(isJpeg(Buffer.from(image.image_type, 'base64'))).toBe(false);
    const bestShot = bestShotOf(body);
    expect(isJpeg(bestShot)).toBe(true);
    expect(bestShot.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
    expect(personOfImage(bestShot)).toBe('alice-7');
  });

  it('answers 201 DECLINED with resolution_comment "[]" and a spoofing score >= 0.9 for a spoof container', async () => {
    const { status, body } = await submit(emulator, { scenario: 'spoof' });

    expect(status).toBe(201);
    expect(body).toMatchObject({ resolution_status: 'FINISHED', system_resolution: 'DECLINED', resolution_comment: '[]' });
    expect(body.analyses[0]).toMatchObject({ state: 'FINISHED', resolution_status: 'DECLINED' });
    expect(body.analyses[0].results_media[0].results_data.confidence_spoofing).toBeGreaterThanOrEqual(0.9);
  });

  it('answers 201 FAILED with the analysis error named in resolution_comment and no best shot for analysis-error', async () => {
    const { status, body } = await submit(emulator, { scenario: 'analysis-error' });

    expect(status).toBe(201);
    expect(body).toMatchObject({ resolution_status: 'FAILED', system_resolution: 'FAILED' });
    const [quality] = body.analyses;
    expect(quality).toMatchObject({ type: 'QUALITY', state: 'FAILED', resolution_status: 'FAILED', error_code: 202, error_message: expect.any(String) });
    expect(quality.results_media).toEqual([]);
    expect(body.resolution_comment).toContain('202');
    expect(body.resolution_comment).toContain(quality.error_message);
    expect(body.resolution_comment).toContain('QUALITY');
  });

  it('generates an event_session_id when the container carries none', async () => {
    const { body } = await submit(emulator);

    expect(body.meta_data.event_session_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('accepts the route without the trailing slash', async () => {
    const container = buildContainer({ token: await emulator.issueToken() });

    const answer = await readAnswer(await postContainer(emulator, container, { path: '/api/instant/folders' }));

    expect(answer.status).toBe(201);
  });

  it('answers 13 when the body is empty', async () => {
    expect(await readAnswer(await postContainer(emulator, new Uint8Array(0)))).toEqual(invalid(13));
  });

  it('answers 13 when the container comes with a content type other than application/octet-stream', async () => {
    const container = buildContainer({ token: await emulator.issueToken() });

    const answer = await readAnswer(await postContainer(emulator, container, { headers: { 'content-type': 'application/json' } }));

    expect(answer).toEqual(invalid(13));
  });

  it('answers 14 when the bytes are not an emulated container', async () => {
    expect(await readAnswer(await postContainer(emulator, Buffer.from('not a container at all, just bytes')))).toEqual(invalid(14));
  });

  it('answers 14 for a tampered container and leaves its token unused', async () => {
    const token = await emulator.issueToken();

    expect(await submit(emulator, { token, scenario: 'tampered' })).toEqual(invalid(14));
    expect((await submit(emulator, { token })).status).toBe(201);
  });

  it('answers 14 when the same container is posted a second time (token already used)', async () => {
    const container = buildContainer({ token: await emulator.issueToken() });

    const first = await readAnswer(await postContainer(emulator, container));
    const replay = await readAnswer(await postContainer(emulator, container));

    expect(first.status).toBe(201);
    expect(replay).toEqual(invalid(14));
  });

  it('lets only one of two concurrent submissions of one container through', async () => {
    const container = buildContainer({ token: await emulator.issueToken() });

    const answers = await Promise.all([1, 2, 3].map(async () => readAnswer(await postContainer(emulator, container))));

    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 400, 400]);
  });

  it('answers 14 when the token is not a JWT', async () => {
    expect(await submit(emulator, { token: 'not-a-jwt' })).toEqual(invalid(14));
  });

  it.each([
    ['no-payload', 3],
    ['no-media', 4],
    ['damaged', 5],
  ] as const)('answers %s with code %i after unpacking, which consumes the token', async (scenario, code) => {
    const token = await emulator.issueToken();

    expect(await submit(emulator, { token, scenario })).toEqual(invalid(code));
    expect(await submit(emulator, { token })).toEqual(invalid(14));
  });

  it('answers 4 when a live container was built with zero media bytes', async () => {
    expect(await submit(emulator, { mediaBytes: 0 })).toEqual(invalid(4));
  });

  it('accepts a 64 MiB container', async () => {
    const container = buildContainer({ token: await emulator.issueToken(), mediaBytes: 64 * 1024 * 1024 });

    const answer = await postLargeContainer(emulator, container);

    expect(answer.status).toBe(201);
    expect(answer.body.media[0].info.size).toBe(64 * 1024 * 1024);
  });

  it('answers 405 with code 1 to GET on the folders route', async () => {
    const answer = await readAnswer(await fetch(`${emulator.url}/api/instant/folders/`));

    expect(answer).toEqual({ status: 405, body: { error_code: 1, error_message: expect.any(String), details: null } });
  });

  it('answers 404 with code 10 on an unknown route', async () => {
    const answer = await readAnswer(await fetch(`${emulator.url}/api/instant/unknown`));

    expect(answer).toEqual({ status: 404, body: { error_code: 10, error_message: expect.any(String), details: null } });
  });
});
