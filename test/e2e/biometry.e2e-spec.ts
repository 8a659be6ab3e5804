import { API_KEY, startStack, type Stack } from '../app.factory';
import { buildBestShot, buildContainer, buildReferenceImage, startOzEmulator } from '../oz-emulator';
import { BIOMETRY_ERROR } from '../oz-emulator/biometry';
import { type Answer, call, createSession, internal, problem, uploadContainer } from './http';
import {
  analysedSession,
  expectProblem,
  matchFaces,
  multipartParts,
  type ProxiedStack,
  rawExchange,
  type RawAnswer,
  referenceForm,
  startProxiedStack,
  TINY_PNG,
  viewSession,
} from './internal.helpers';

const MAX_IMAGE_BYTES = 4096;
const UNKNOWN_SESSION = '3d0f6a55-1c2b-4e8f-9a7d-6b5c4e3f2a10';
const DOCUMENT_TAGS = ['photo_id', 'photo_id_front'];
const SELFIE_TAGS = ['photo_selfie'];

/** A JPEG of `person` padded after its end marker to exactly `size` bytes (the emulator reads the identity from the head). */
function referenceOfSize(person: string, size: number): Buffer {
  const image = buildReferenceImage(person);
  return Buffer.concat([image, Buffer.alloc(size - image.length)]);
}

describe('POST /v1/sessions/{sessionId}/biometry', () => {
  let stack: ProxiedStack;

  beforeAll(async () => {
    stack = await startProxiedStack({ MAX_IMAGE_BYTES: String(MAX_IMAGE_BYTES) });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.emulator.clearRequests();
    stack.emulator.clearFaults();
    stack.proxy.clear();
  });

  /** An accepted session of `person`, with the spy and the proxy cleared afterwards. */
  async function acceptedSession(person: string) {
    const session = await analysedSession(stack.service.url, { person });
    expect(session.upload.body.decision).toBe('accepted');
    const before = await viewSession(stack.service.url, session.sessionId);
    stack.emulator.clearRequests();
    stack.proxy.clear();
    return { ...session, before: before.body };
  }

  const folderCalls = () => stack.emulator.requests().filter((request) => request.path.startsWith('/api/instant/folders'));
  const proxiedFolderCalls = () => stack.proxy.calls().filter((request) => request.path.startsWith('/api/instant/folders'));

  describe('face matching', () => {
    it('answers 201 with the session view, a SUCCESS biometry check and accepted / FACE_MATCHED when the reference shows the same person', async () => {
      const { sessionId, upload, before } = await acceptedSession('bio-same');

      const answer = await matchFaces(stack.service.url, sessionId, referenceForm(buildReferenceImage('bio-same'), 'selfie'));

      expect(answer.status).toBe(201);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(answer.body).toEqual({
        sessionId,
        subjectId: null,
        subjectVerified: false,
        attemptsRemaining: null,
        status: 'completed',
        createdAt: before.createdAt,
        expiresAt: before.expiresAt,
        result: {
          decision: 'accepted',
          reason: 'FACE_MATCHED',
          folderId: upload.body.folderId,
          eventSessionId: upload.body.eventSessionId,
          completedAt: upload.body.completedAt,
          checks: [before.result.checks[0], { type: 'biometry', resolution: 'SUCCESS', similarity: expect.any(Number), errorCode: null, errorMessage: null }],
          bestShotAvailable: true,
          receipt: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
        },
        error: null,
      });
      expect(answer.body.result.checks[1].similarity).toBeGreaterThanOrEqual(0.85);
      const { attemptsRemaining, ...view } = answer.body;
      expect(attemptsRemaining).toBeNull();
      expect((await viewSession(stack.service.url, sessionId)).body).toEqual(view);
    });

    it.each([
      ['selfie', 'selfie', SELFIE_TAGS],
      ['document', 'document', DOCUMENT_TAGS],
      ['absent (document by default)', undefined, DOCUMENT_TAGS],
    ])('sends Oz one multipart call with the reference and the best shot byte for byte when referenceType is %s', async (_, referenceType, tags) => {
      const { sessionId } = await acceptedSession('bio-wire');
      const reference = buildReferenceImage('bio-wire');

      const answer = await matchFaces(stack.service.url, sessionId, referenceForm(reference, referenceType), internal({ 'x-request-id': 'bio-wire.1' }));

      expect(answer.status).toBe(201);
      expect(answer.body.result).toMatchObject({ decision: 'accepted', reason: 'FACE_MATCHED' });
      expect(folderCalls()).toEqual([expect.objectContaining({ method: 'POST', contentType: expect.stringMatching(/^multipart\/form-data; ?boundary=/) })]);
      expect(folderCalls()[0].headers['x-request-id']).toBe('bio-wire.1');
      const parts = await multipartParts(proxiedFolderCalls()[0]);
      expect([...parts.keys()].sort()).toEqual(['best-shot.jpg', 'payload', 'reference.jpg']);
      expect(JSON.parse(parts.get('payload') as string)).toMatchObject({
        'media:tags': { 'reference.jpg': tags, 'best-shot.jpg': SELFIE_TAGS },
        analyses: [{ type: 'biometry' }],
      });
      const sentReference = parts.get('reference.jpg') as File;
      const sentBestShot = parts.get('best-shot.jpg') as File;
      expect({ name: sentReference.name, type: sentReference.type }).toEqual({ name: 'reference.jpg', type: 'image/jpeg' });
      expect({ name: sentBestShot.name, type: sentBestShot.type }).toEqual({ name: 'best-shot.jpg', type: 'image/jpeg' });
      expect(Buffer.from(await sentReference.arrayBuffer()).equals(reference)).toBe(true);
      expect(Buffer.from(await sentBestShot.arrayBuffer()).equals(buildBestShot('bio-wire'))).toBe(true);
    });

    it('answers rejected / FACE_MISMATCH with a DECLINED biometry check when the reference shows another person', async () => {
      const { sessionId, before } = await acceptedSession('bio-anna');

      const answer = await matchFaces(stack.service.url, sessionId, referenceForm(buildReferenceImage('bio-boris')));

      expect(answer.status).toBe(201);
      expect(answer.body.result).toMatchObject({
        decision: 'rejected',
        reason: 'FACE_MISMATCH',
        checks: [before.result.checks[0], { type: 'biometry', resolution: 'DECLINED', similarity: expect.any(Number), errorCode: null, errorMessage: null }],
      });
      expect(answer.body.result.checks[1].similarity).toBeLessThan(0.85);
    });

    it('answers inconclusive / REVIEW_REQUIRED when Oz asks for an operator (review- person)', async () => {
      const { sessionId } = await acceptedSession('review-carla');

      const answer = await matchFaces(stack.service.url, sessionId, referenceForm(buildReferenceImage('review-carla')));

      expect(answer.status).toBe(201);
      expect(answer.body.result).toMatchObject({
        decision: 'inconclusive',
        reason: 'REVIEW_REQUIRED',
        checks: [
          { type: 'liveness' },
          { type: 'biometry', resolution: 'OPERATOR_REQUIRED', similarity: expect.any(Number), errorCode: null, errorMessage: null },
        ],
      });
    });

    it('answers inconclusive / ANALYSIS_FAILED with the Oz error code and message when the analysis fails (biofail- person)', async () => {
      const { sessionId } = await acceptedSession('biofail-dora');

      const answer = await matchFaces(stack.service.url, sessionId, referenceForm(buildReferenceImage('biofail-dora')));

      expect(answer.status).toBe(201);
      expect(answer.body.result).toMatchObject({
        decision: 'inconclusive',
        reason: 'ANALYSIS_FAILED',
        checks: [
          { type: 'liveness' },
          { type: 'biometry', resolution: 'FAILED', similarity: null, errorCode: BIOMETRY_ERROR.code, errorMessage: BIOMETRY_ERROR.message },
        ],
      });
    });

    it('replaces the previous biometry result when run again, keeping one biometry check', async () => {
      const { sessionId, before } = await acceptedSession('bio-again');

      const matched = await matchFaces(stack.service.url, sessionId, referenceForm(buildReferenceImage('bio-again')));
      const mismatched = await matchFaces(stack.service.url, sessionId, referenceForm(buildReferenceImage('bio-other')));
      const matchedAgain = await matchFaces(stack.service.url, sessionId, referenceForm(buildReferenceImage('bio-again'), 'selfie'));
      const view = await viewSession(stack.service.url, sessionId);

      expect([matched, mismatched, matchedAgain].map((a) => [a.status, a.body.result.reason])).toEqual([
        [201, 'FACE_MATCHED'],
        [201, 'FACE_MISMATCH'],
        [201, 'FACE_MATCHED'],
      ]);
      expect(view.body.result.checks).toEqual([before.result.checks[0], expect.objectContaining({ type: 'biometry', resolution: 'SUCCESS' })]);
      expect(view.body.result.decision).toBe('accepted');
      expect(folderCalls()).toHaveLength(3);
    });

    it('accepts a PNG reference by its magic bytes and sends it to Oz as a PNG', async () => {
      const { sessionId } = await acceptedSession('bio-png');

      const answer = await matchFaces(stack.service.url, sessionId, referenceForm(TINY_PNG, 'document', { name: 'id.png', type: 'image/png' }));

      expect(answer.status).toBe(201);
      expect(answer.body.result.checks).toEqual([expect.objectContaining({ type: 'liveness' }), expect.objectContaining({ type: 'biometry' })]);
      const parts = await multipartParts(proxiedFolderCalls()[0]);
      const sent = parts.get('reference.png') as File;
      expect({ name: sent.name, type: sent.type }).toEqual({ name: 'reference.png', type: 'image/png' });
      expect(Buffer.from(await sent.arrayBuffer()).equals(TINY_PNG)).toBe(true);
      expect(JSON.parse(parts.get('payload') as string)['media:tags']).toEqual({ 'reference.png': DOCUMENT_TAGS, 'best-shot.jpg': SELFIE_TAGS });
    });

    it('trusts the magic bytes, not the declared type: a JPEG declared as PNG goes to Oz as a JPEG', async () => {
      const { sessionId } = await acceptedSession('bio-declared');

      const answer = await matchFaces(
        stack.service.url,
        sessionId,
        referenceForm(buildReferenceImage('bio-declared'), 'selfie', { name: 'x.png', type: 'image/png' }),
      );

      expect(answer.status).toBe(201);
      const parts = await multipartParts(proxiedFolderCalls()[0]);
      expect((parts.get('reference.jpg') as File | null)?.type).toBe('image/jpeg');
      expect(parts.has('reference.png')).toBe(false);
    });

    it('accepts a reference of exactly MAX_IMAGE_BYTES', async () => {
      const { sessionId } = await acceptedSession('bio-limit');
      const reference = referenceOfSize('bio-limit', MAX_IMAGE_BYTES);

      const answer = await matchFaces(stack.service.url, sessionId, referenceForm(reference));

      expect(answer.status).toBe(201);
      expect(answer.body.result.reason).toBe('FACE_MATCHED');
      const sent = (await multipartParts(proxiedFolderCalls()[0])).get('reference.jpg') as File;
      expect(Buffer.from(await sent.arrayBuffer()).equals(reference)).toBe(true);
    });

    it('leaves the public liveness answer of a replayed container as it first was, without scores, after face matching', async () => {
      const { sessionId, sessionToken } = await createSession(stack.service.url);
      const container = buildContainer({ token: sessionToken, person: 'bio-replay' });
      const first = await uploadContainer(stack.service.url, sessionId, container);
      await matchFaces(stack.service.url, sessionId, referenceForm(buildReferenceImage('someone-else')));

      const replay = await uploadContainer(stack.service.url, sessionId, container);

      expect(first.status).toBe(201);
      expect(Object.keys(first.body).sort()).toEqual([
        'attemptsRemaining',
        'completedAt',
        'decision',
        'eventSessionId',
        'folderId',
        'reason',
        'receipt',
        'sessionId',
        'status',
      ]);
      expect(first.body).toMatchObject({ decision: 'accepted', reason: 'LIVENESS_PASSED' });
      expect(replay.status).toBe(200);
      expect(replay.body).toEqual(first.body);
    });
  });

  describe('refusals before Oz', () => {
    afterEach(() => {
      expect(folderCalls()).toHaveLength(0);
    });

    it.each([
      ['no container was uploaded yet', null],
      ['liveness was declined (spoof)', 'spoof'],
      ['the liveness analysis failed', 'analysis-error'],
      ['the session failed (damaged container)', 'damaged'],
    ] as const)('answers 409 LIVENESS_NOT_ACCEPTED when %s', async (_, scenario) => {
      const sessionId =
        scenario === null ? (await createSession(stack.service.url)).sessionId : (await analysedSession(stack.service.url, { scenario })).sessionId;
      stack.emulator.clearRequests();

      const answer = await matchFaces(stack.service.url, sessionId, referenceForm(buildReferenceImage('person-1')));

      expectProblem(answer, 409, 'LIVENESS_NOT_ACCEPTED', { retryable: false });
    });

    it('answers 404 BEST_SHOT_NOT_FOUND when liveness was accepted but Oz returned no best shot', async () => {
      stack.proxy.rewriteNextFolder((folder) => {
        for (const analysis of folder.analyses) for (const media of analysis.results_media ?? []) media.output_images = [];
        return folder;
      });
      const { sessionId, upload } = await analysedSession(stack.service.url);
      stack.emulator.clearRequests();

      const answer = await matchFaces(stack.service.url, sessionId, referenceForm(buildReferenceImage('person-1')));

      expect(upload.body.decision).toBe('accepted');
      expectProblem(answer, 404, 'BEST_SHOT_NOT_FOUND', { retryable: false });
    });

    it.each([
      [
        'a body that ends inside a part',
        'multipart/form-data; boundary=xx',
        '--xx\r\nContent-Disposition: form-data; name="reference"; filename="a.jpg"\r\n\r\n\xff\xd8\xffabc',
      ],
      ['a multipart type without a boundary', 'multipart/form-data', '--xx\r\n'],
    ])('answers 400 VALIDATION_FAILED, not a 500, for %s', async (_, type, body) => {
      const { sessionId } = await analysedSession(stack.service.url);
      stack.emulator.clearRequests();

      const answer = await call(`${stack.service.url}/v1/sessions/${sessionId}/biometry`, {
        method: 'POST',
        headers: internal({ 'content-type': type }),
        body: Buffer.from(body, 'latin1'),
      });

      expectProblem(answer, 400, 'VALIDATION_FAILED', { retryable: false });
    });

    it('answers 404 SESSION_NOT_FOUND for an unknown session', async () => {
      expectProblem(await matchFaces(stack.service.url, UNKNOWN_SESSION, referenceForm(buildReferenceImage('x'))), 404, 'SESSION_NOT_FOUND');
    });

    it('answers 400 VALIDATION_FAILED for a session id that is not a UUID', async () => {
      expectProblem(await matchFaces(stack.service.url, 'nope', referenceForm(buildReferenceImage('x'))), 400, 'VALIDATION_FAILED');
    });

    it.each([
      ['plain text', Buffer.from('this is not an image at all')],
      ['an empty file', Buffer.alloc(0)],
      ['only two bytes of the JPEG magic', Buffer.from([0xff, 0xd8])],
      ['a GIF', Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1')],
      ['a PNG signature cut short', TINY_PNG.subarray(0, 7)],
    ])('answers 422 REFERENCE_INVALID without calling Oz when the reference is %s', async (_, bytes) => {
      const { sessionId, before } = await acceptedSession('bio-invalid');

      const answer = await matchFaces(stack.service.url, sessionId, referenceForm(bytes, 'selfie'));

      expectProblem(answer, 422, 'REFERENCE_INVALID', { retryable: false });
      expect(answer.body.ozErrorCode).toBeUndefined();
      expect((await viewSession(stack.service.url, sessionId)).body).toEqual(before);
    });

    const jpeg = () => new Blob([buildReferenceImage('bio-form')], { type: 'image/jpeg' });
    it.each<[string, () => FormData]>([
      ['the reference part is missing', () => form([['referenceType', 'selfie']])],
      ['the form is empty', () => form([])],
      ['the reference is a text part', () => form([['reference', buildReferenceImage('bio-form').toString('base64')]])],
      [
        'there are two reference parts',
        () =>
          form([
            ['reference', jpeg(), 'a.jpg'],
            ['reference', jpeg(), 'b.jpg'],
          ]),
      ],
      [
        'referenceType is passport',
        () =>
          form([
            ['reference', jpeg(), 'r.jpg'],
            ['referenceType', 'passport'],
          ]),
      ],
      [
        'referenceType is Selfie (wrong case)',
        () =>
          form([
            ['reference', jpeg(), 'r.jpg'],
            ['referenceType', 'Selfie'],
          ]),
      ],
      [
        'referenceType is empty',
        () =>
          form([
            ['reference', jpeg(), 'r.jpg'],
            ['referenceType', ''],
          ]),
      ],
      [
        'referenceType has blanks',
        () =>
          form([
            ['reference', jpeg(), 'r.jpg'],
            ['referenceType', ' selfie '],
          ]),
      ],
      [
        'referenceType comes twice',
        () =>
          form([
            ['reference', jpeg(), 'r.jpg'],
            ['referenceType', 'selfie'],
            ['referenceType', 'selfie'],
          ]),
      ],
      [
        'referenceType is a file part',
        () =>
          form([
            ['reference', jpeg(), 'r.jpg'],
            ['referenceType', new Blob(['selfie']), 'type.txt'],
          ]),
      ],
      [
        'an unexpected file part comes along',
        () =>
          form([
            ['reference', jpeg(), 'r.jpg'],
            ['photo', jpeg(), 'p.jpg'],
          ]),
      ],
      [
        'an unexpected text part comes along',
        () =>
          form([
            ['reference', jpeg(), 'r.jpg'],
            ['note', 'hello'],
          ]),
      ],
      [
        'the unexpected part comes first',
        () =>
          form([
            ['note', 'hello'],
            ['reference', jpeg(), 'r.jpg'],
          ]),
      ],
    ])('answers 400 VALIDATION_FAILED when %s', async (_, build) => {
      const { sessionId, before } = await acceptedSession('bio-form');

      const answer = await matchFaces(stack.service.url, sessionId, build());

      expectProblem(answer, 400, 'VALIDATION_FAILED', { retryable: false });
      expect((await viewSession(stack.service.url, sessionId)).body).toEqual(before);
    });

    it.each([
      ['one byte over MAX_IMAGE_BYTES', MAX_IMAGE_BYTES + 1],
      ['far over MAX_IMAGE_BYTES', 2 * 1024 * 1024],
    ])('answers 413 PAYLOAD_TOO_LARGE when the reference is %s', async (_, size) => {
      const { sessionId } = await acceptedSession('bio-large');

      const answer = await matchFaces(stack.service.url, sessionId, referenceForm(referenceOfSize('bio-large', size)));

      expectProblem(answer, 413, 'PAYLOAD_TOO_LARGE', { retryable: false });
    });

    it('answers 413 from a declared Content-Length far over the limit before any of the body arrives', async () => {
      const { sessionId } = await acceptedSession('bio-declared-large');

      const answer = await rawExchange(stack.service.url, biometryHead(`/v1/sessions/${sessionId}/biometry`, 'Content-Length: 1073741824'));

      expectRawProblem(answer, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('answers 413 as soon as a chunked reference passes MAX_IMAGE_BYTES, without waiting for the rest of the body', async () => {
      const { sessionId } = await acceptedSession('bio-chunked');
      const partHead = '--b\r\nContent-Disposition: form-data; name="reference"; filename="r.jpg"\r\nContent-Type: image/jpeg\r\n\r\n';
      const chunk = Buffer.concat([Buffer.from(partHead), referenceOfSize('bio-chunked', 2 * MAX_IMAGE_BYTES)]);
      const head = biometryHead(`/v1/sessions/${sessionId}/biometry`, 'Transfer-Encoding: chunked');

      const answer = await rawExchange(
        stack.service.url,
        Buffer.concat([Buffer.from(head), Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]),
      );

      expectRawProblem(answer, 413, 'PAYLOAD_TOO_LARGE');
    });

    it.each<[string, Record<string, string>, RequestInit['body']]>([
      ['JSON', { 'content-type': 'application/json' }, JSON.stringify({ reference: 'abc', referenceType: 'selfie' })],
      ['JSON with a charset', { 'content-type': 'application/json; charset=utf-8' }, '{}'],
      ['a raw JPEG', { 'content-type': 'image/jpeg' }, buildReferenceImage('bio-415')],
      ['octet-stream', { 'content-type': 'application/octet-stream' }, buildReferenceImage('bio-415')],
      ['a url-encoded form', { 'content-type': 'application/x-www-form-urlencoded' }, 'referenceType=selfie'],
      ['multipart/mixed', { 'content-type': 'multipart/mixed; boundary=x' }, '--x--\r\n'],
    ])('answers 415 UNSUPPORTED_MEDIA_TYPE for a body sent as %s', async (_, headers, body) => {
      const { sessionId } = await acceptedSession('bio-415');

      const answer = await matchFaces(stack.service.url, sessionId, body, internal(headers));

      expectProblem(answer, 415, 'UNSUPPORTED_MEDIA_TYPE', { retryable: false });
    });

    it('answers 415 for a body without a Content-Type', async () => {
      const { sessionId } = await acceptedSession('bio-415');

      const answer = await call(`${stack.service.url}/v1/sessions/${sessionId}/biometry`, {
        method: 'POST',
        headers: internal(),
        body: new Uint8Array(buildReferenceImage('x')),
      });

      expectProblem(answer, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    describe('precedence (docs/api.md §3)', () => {
      it('answers 415 rather than 404 for a JSON body to an unknown session', async () => {
        const answer = await matchFaces(stack.service.url, UNKNOWN_SESSION, '{}', internal({ 'content-type': 'application/json' }));

        expectProblem(answer, 415, 'UNSUPPORTED_MEDIA_TYPE');
      });

      it('answers 415 rather than 413 for a JSON body declared far over the limit', async () => {
        const head = biometryHead(`/v1/sessions/${UNKNOWN_SESSION}/biometry`, 'Content-Length: 1073741824').replace(
          'multipart/form-data; boundary=b',
          'application/json',
        );

        expectRawProblem(await rawExchange(stack.service.url, head), 415, 'UNSUPPORTED_MEDIA_TYPE');
      });

      it('answers 413 rather than 404 for an oversized reference to an unknown session', async () => {
        expectProblem(await matchFaces(stack.service.url, UNKNOWN_SESSION, referenceForm(referenceOfSize('x', MAX_IMAGE_BYTES + 1))), 413, 'PAYLOAD_TOO_LARGE');
      });

      it('answers 413 rather than 400 for a declared Content-Length far over the limit to a session id that is not a UUID', async () => {
        expectRawProblem(
          await rawExchange(stack.service.url, biometryHead('/v1/sessions/not-a-uuid/biometry', 'Content-Length: 1073741824')),
          413,
          'PAYLOAD_TOO_LARGE',
        );
      });

      it('answers 413 rather than 400 for an oversized reference after a bad referenceType', async () => {
        const { sessionId } = await acceptedSession('bio-order');
        const body = form([
          ['referenceType', 'passport'],
          ['reference', new Blob([referenceOfSize('bio-order', MAX_IMAGE_BYTES + 1)]), 'r.jpg'],
        ]);

        expectProblem(await matchFaces(stack.service.url, sessionId, body), 413, 'PAYLOAD_TOO_LARGE');
      });

      it('answers 400 rather than 404 for a malformed form to an unknown session', async () => {
        expectProblem(await matchFaces(stack.service.url, UNKNOWN_SESSION, referenceForm(buildReferenceImage('x'), 'passport')), 400, 'VALIDATION_FAILED');
      });

      it('answers 400 rather than 409 for a malformed form to a session without an accepted liveness', async () => {
        const { sessionId } = await createSession(stack.service.url);

        expectProblem(await matchFaces(stack.service.url, sessionId, referenceForm(buildReferenceImage('x'), 'passport')), 400, 'VALIDATION_FAILED');
      });

      it('answers 400 rather than 422 for a non-image reference with a bad referenceType', async () => {
        const { sessionId } = await acceptedSession('bio-order');

        expectProblem(await matchFaces(stack.service.url, sessionId, referenceForm(Buffer.from('text'), 'passport')), 400, 'VALIDATION_FAILED');
      });

      it('answers 404 rather than 422 for a non-image reference to an unknown session', async () => {
        expectProblem(await matchFaces(stack.service.url, UNKNOWN_SESSION, referenceForm(Buffer.from('text'))), 404, 'SESSION_NOT_FOUND');
      });

      it('answers 409 rather than 422 for a non-image reference to a declined session', async () => {
        const { sessionId } = await analysedSession(stack.service.url, { scenario: 'spoof' });
        stack.emulator.clearRequests();

        expectProblem(await matchFaces(stack.service.url, sessionId, referenceForm(Buffer.from('text'))), 409, 'LIVENESS_NOT_ACCEPTED');
      });
    });
  });

  describe('Oz failures', () => {
    /** After a failed call the session is as before, and face matching may simply be run again. */
    async function expectUnchangedAndRetryable(sessionId: string, person: string, before: unknown): Promise<void> {
      expect((await viewSession(stack.service.url, sessionId)).body).toEqual(before);
      const retry = await matchFaces(stack.service.url, sessionId, referenceForm(buildReferenceImage(person)));
      expect([retry.status, retry.body.result?.reason]).toEqual([201, 'FACE_MATCHED']);
    }

    it.each([
      [400, 3],
      [404, 10],
      [415, 5],
      [422, 3],
    ])('answers 422 REFERENCE_INVALID with ozErrorCode when Oz answers %i to the images', async (status, ozErrorCode) => {
      const { sessionId, before } = await acceptedSession('bio-oz4xx');
      stack.emulator.armFault({ kind: 'status', status, route: 'folders' });

      const answer = await matchFaces(stack.service.url, sessionId, referenceForm(buildReferenceImage('bio-oz4xx')));

      expectProblem(answer, 422, 'REFERENCE_INVALID', { retryable: false, ozErrorCode });
      expect(folderCalls()).toHaveLength(1);
      await expectUnchangedAndRetryable(sessionId, 'bio-oz4xx', before);
    });

    it.each([
      [401, 7],
      [403, 9],
    ])('answers 502 UPSTREAM_ERROR, not retryable, when Oz answers %i with an auth code', async (status, ozErrorCode) => {
      const { sessionId, before } = await acceptedSession('bio-ozauth');
      stack.emulator.armFault({ kind: 'status', status, route: 'folders' });

      const answer = await matchFaces(stack.service.url, sessionId, referenceForm(buildReferenceImage('bio-ozauth')));

      expectProblem(answer, 502, 'UPSTREAM_ERROR', { retryable: false, ozErrorCode });
      await expectUnchangedAndRetryable(sessionId, 'bio-ozauth', before);
    });

    it('answers 502 UPSTREAM_ERROR, not retryable, with ozErrorCode 6 when Oz wants an access token the service does not send', async () => {
      const { sessionId, before } = await acceptedSession('bio-token');
      const guarded = await startOzEmulator({ accessToken: 'oz-access-token' });
      const openTarget = stack.proxy.target;
      stack.proxy.target = guarded.url;
      let answer: Answer;
      try {
        answer = await matchFaces(stack.service.url, sessionId, referenceForm(buildReferenceImage('bio-token')));
      } finally {
        stack.proxy.target = openTarget;
        await guarded.close();
      }

      expectProblem(answer, 502, 'UPSTREAM_ERROR', { retryable: false, ozErrorCode: 6 });
      expect(JSON.stringify(answer.body)).not.toContain('Access token');
      await expectUnchangedAndRetryable(sessionId, 'bio-token', before);
    });

    it.each([500, 503])('answers 502 UPSTREAM_ERROR, retryable, with ozErrorCode 0 when Oz answers %i', async (status) => {
      const { sessionId, before } = await acceptedSession('bio-oz5xx');
      stack.emulator.armFault({ kind: 'status', status, route: 'folders' });

      const answer = await matchFaces(stack.service.url, sessionId, referenceForm(buildReferenceImage('bio-oz5xx')));

      expectProblem(answer, 502, 'UPSTREAM_ERROR', { retryable: true, ozErrorCode: 0 });
      expect(JSON.stringify(answer.body)).not.toContain('Unknown server error');
      await expectUnchangedAndRetryable(sessionId, 'bio-oz5xx', before);
    });

    it.each(['reset', 'non-json'] as const)('answers 502 UPSTREAM_ERROR, retryable, without ozErrorCode when Oz sends a %s answer', async (kind) => {
      const { sessionId, before } = await acceptedSession('bio-ozbroken');
      stack.emulator.armFault({ kind, route: 'folders' });

      const answer = await matchFaces(stack.service.url, sessionId, referenceForm(buildReferenceImage('bio-ozbroken')));

      expectProblem(answer, 502, 'UPSTREAM_ERROR', { retryable: true });
      expect(answer.body.ozErrorCode).toBeUndefined();
      await expectUnchangedAndRetryable(sessionId, 'bio-ozbroken', before);
    });
  });
});

describe('POST /v1/sessions/{sessionId}/biometry at the Oz limits', () => {
  let stack: ProxiedStack;

  beforeEach(async () => {
    stack = await startProxiedStack({ OZ_MAX_CONCURRENCY: '1', OZ_TIMEOUT_MS: '300' });
  });
  afterEach(() => stack.close());

  it('answers 504 UPSTREAM_TIMEOUT when Oz does not answer within OZ_TIMEOUT_MS', async () => {
    const { sessionId } = await analysedSession(stack.service.url, { person: 'bio-slow' });
    stack.emulator.armFault({ kind: 'delay', delayMs: 1000, route: 'folders' });

    const answer = await matchFaces(stack.service.url, sessionId, referenceForm(buildReferenceImage('bio-slow')));

    expectProblem(answer, 504, 'UPSTREAM_TIMEOUT', { retryable: true });
  });

  it('answers 503 UPSTREAM_UNAVAILABLE with Retry-After at once while OZ_MAX_CONCURRENCY analyses are in flight', async () => {
    const { sessionId } = await analysedSession(stack.service.url, { person: 'bio-busy' });
    stack.emulator.clearRequests();
    stack.emulator.armFault({ kind: 'delay', delayMs: 200, route: 'folders' });
    const first = matchFaces(stack.service.url, sessionId, referenceForm(buildReferenceImage('bio-busy')));
    await waitFor(() => stack.emulator.requests().length === 1);

    const second = await matchFaces(stack.service.url, sessionId, referenceForm(buildReferenceImage('bio-busy')));

    expectProblem(second, 503, 'UPSTREAM_UNAVAILABLE', { retryable: true });
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await first).status).toBe(201);
    expect(stack.emulator.requests()).toHaveLength(1);
  });

  it('answers 503 UPSTREAM_UNAVAILABLE with Retry-After when Oz cannot be reached', async () => {
    const { sessionId } = await analysedSession(stack.service.url, { person: 'bio-gone' });
    await stack.proxy.close();
    // Let the service's keep-alive agent see the pooled socket close: reusing it would be a reset (502), not "unreachable".
    await new Promise((resolve) => setTimeout(resolve, 50));

    const answer = await matchFaces(stack.service.url, sessionId, referenceForm(buildReferenceImage('bio-gone')));

    expectProblem(answer, 503, 'UPSTREAM_UNAVAILABLE', { retryable: true });
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('POST /v1/sessions/{sessionId}/biometry over time', () => {
  const BEST_SHOT_TTL_SECONDS = 60;
  const RESULT_TTL_SECONDS = 3600;
  let stack: Stack;

  beforeEach(async () => {
    stack = await startStack({ BEST_SHOT_TTL_SECONDS: String(BEST_SHOT_TTL_SECONDS), RESULT_TTL_SECONDS: String(RESULT_TTL_SECONDS) });
  });
  afterEach(() => stack.close());

  it('matches until BEST_SHOT_TTL_SECONDS after completion, then answers 410 BEST_SHOT_EXPIRED without calling Oz', async () => {
    const { sessionId } = await analysedSession(stack.service.url, { person: 'bio-ttl' });

    stack.service.clock.advance(BEST_SHOT_TTL_SECONDS * 1000 - 1);
    const held = await matchFaces(stack.service.url, sessionId, referenceForm(buildReferenceImage('bio-ttl')));
    stack.service.clock.advance(1);
    stack.emulator.clearRequests();
    const expired = await matchFaces(stack.service.url, sessionId, referenceForm(buildReferenceImage('bio-ttl')));

    expect(held.status).toBe(201);
    expectProblem(expired, 410, 'BEST_SHOT_EXPIRED', { retryable: false });
    expect(stack.emulator.requests()).toHaveLength(0);
    expect((await viewSession(stack.service.url, sessionId)).body.result).toMatchObject({ reason: 'FACE_MATCHED', bestShotAvailable: false });
  });

  it('answers 410 rather than 409 when the best shot of a declined session has expired (docs/api.md §3 order)', async () => {
    const { sessionId } = await analysedSession(stack.service.url, { scenario: 'spoof' });

    stack.service.clock.advance(BEST_SHOT_TTL_SECONDS * 1000);

    expectProblem(await matchFaces(stack.service.url, sessionId, referenceForm(buildReferenceImage('x'))), 410, 'BEST_SHOT_EXPIRED');
  });

  it('answers 404 SESSION_NOT_FOUND once the session was purged', async () => {
    const { sessionId } = await analysedSession(stack.service.url, { person: 'bio-purged' });

    stack.service.clock.advance(RESULT_TTL_SECONDS * 1000);

    expectProblem(await matchFaces(stack.service.url, sessionId, referenceForm(buildReferenceImage('bio-purged'))), 404, 'SESSION_NOT_FOUND');
  });
});

/** Request line and headers of a keyed multipart biometry call, for a bare socket. */
function biometryHead(path: string, lengthHeader: string): string {
  return `POST ${path} HTTP/1.1\r\nHost: oz-service\r\nX-Api-Key: ${API_KEY}\r\nContent-Type: multipart/form-data; boundary=b\r\n${lengthHeader}\r\n\r\n`;
}

function expectRawProblem(answer: RawAnswer, status: number, code: string): void {
  expect({ status: answer.status, type: answer.headers['content-type'] }).toEqual({ status, type: expect.stringMatching(/^application\/problem\+json/) });
  expect(JSON.parse(answer.body)).toEqual(problem(status, code, { requestId: answer.headers['x-request-id'] }));
}

type FormEntry = [string, string] | [string, Blob, string];

function form(entries: FormEntry[]): FormData {
  const data = new FormData();
  for (const entry of entries) {
    if (entry.length === 3) data.append(entry[0], entry[1], entry[2]);
    else data.append(entry[0], entry[1]);
  }
  return data;
}

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
