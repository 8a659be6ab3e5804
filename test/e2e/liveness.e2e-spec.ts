import { startStack, type Stack } from '../app.factory';
import { buildContainer } from '../oz-emulator';
import { problem, uploadContainer } from './http';
import { folderCalls, foldersCalled, sessionWithContainer, sha256, track, uploadChunked, viewSession } from './liveness.helpers';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const COMPACT_JWS = /^[\w-]+\.[\w-]+\.[\w-]+$/;
/** One token's lifetime (900 s in the emulator) and a second more. */
const PAST_EXPIRY_MS = 901_000;

describe('POST /v1/sessions/{sessionId}/liveness', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.emulator.clearRequests());
  afterEach(() => stack.emulator.clearFaults());

  describe('answers', () => {
    it.each([
      ['live', 'accepted', 'LIVENESS_PASSED'],
      ['spoof', 'rejected', 'LIVENESS_DECLINED'],
      ['analysis-error', 'inconclusive', 'ANALYSIS_FAILED'],
    ] as const)('answers 201 for a %s container: %s / %s, with nothing but the public fields', async (scenario, decision, reason) => {
      const { sessionId, sessionToken, container } = await sessionWithContainer(stack.service.url, { scenario, eventSessionId: `evt-${scenario}` });

      const answer = await uploadContainer(stack.service.url, sessionId, container);

      expect(answer.status).toBe(201);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(answer.body).toEqual({
        sessionId,
        status: 'completed',
        decision,
        reason,
        folderId: expect.stringMatching(UUID),
        eventSessionId: `evt-${scenario}`,
        completedAt: expect.stringMatching(ISO),
        receipt: expect.stringMatching(COMPACT_JWS),
        attemptsRemaining: null,
      });
      const text = answer.bytes.toString('utf8');
      for (const secret of [sessionToken, 'score', 'confidence', 'image', 'base64', 'token']) expect(text).not.toContain(secret);
    });

    it('records the result on the session for internal callers', async () => {
      const { sessionId, container } = await sessionWithContainer(stack.service.url, { eventSessionId: 'evt-recorded' });

      const answer = await uploadContainer(stack.service.url, sessionId, container);
      const view = await viewSession(stack.service.url, sessionId);

      expect(view.status).toBe(200);
      expect(view.body).toMatchObject({
        sessionId,
        status: 'completed',
        result: {
          decision: 'accepted',
          reason: 'LIVENESS_PASSED',
          folderId: answer.body.folderId,
          eventSessionId: 'evt-recorded',
          completedAt: answer.body.completedAt,
        },
      });
      expect(view.body.error ?? null).toBeNull();
    });
  });

  describe('forwarding', () => {
    it('forwards the container byte for byte as application/octet-stream with the caller X-Request-Id', async () => {
      const { sessionId, container } = await sessionWithContainer(stack.service.url, { mediaBytes: 300_000 });

      const answer = await uploadContainer(stack.service.url, sessionId, container, { 'x-request-id': 'liveness-req.1' });

      expect(answer.status).toBe(201);
      expect(answer.headers.get('x-request-id')).toBe('liveness-req.1');
      const calls = folderCalls(stack.emulator);
      expect(calls).toHaveLength(1);
      expect(calls[0]).toMatchObject({
        method: 'POST',
        contentType: 'application/octet-stream',
        bodySize: container.length,
        bodySha256: sha256(container),
        headers: { 'x-request-id': 'liveness-req.1', 'x-forensic-access-token': 'absent' },
      });
    });

    it('forwards a chunked upload (no Content-Length) byte for byte', async () => {
      const { sessionId, container } = await sessionWithContainer(stack.service.url, { mediaBytes: 50_000 });

      const answer = await uploadChunked(stack.service.url, sessionId, container, 4096);

      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({ sessionId, decision: 'accepted' });
      expect(folderCalls(stack.emulator)).toEqual([expect.objectContaining({ bodySize: container.length, bodySha256: sha256(container) })]);
    });

    it('sends Oz the request id it answers with when the caller sent none', async () => {
      const { sessionId, container } = await sessionWithContainer(stack.service.url);

      const answer = await uploadContainer(stack.service.url, sessionId, container);

      expect(answer.status).toBe(201);
      expect(answer.headers.get('x-request-id')).toMatch(UUID);
      expect(folderCalls(stack.emulator)[0].headers['x-request-id']).toBe(answer.headers.get('x-request-id'));
    });
  });

  describe('replays and reuse', () => {
    it('answers 200 with the identical body and calls Oz once when the same bytes come again after a result', async () => {
      const { sessionId, container } = await sessionWithContainer(stack.service.url, { scenario: 'spoof' });
      const first = await uploadContainer(stack.service.url, sessionId, container);

      const again = await uploadContainer(stack.service.url, sessionId, container);

      expect(first.status).toBe(201);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      expect(folderCalls(stack.emulator)).toHaveLength(1);
    });

    it('answers the same 422 error without calling Oz when the same bytes come again after a container failure', async () => {
      const { sessionId, container } = await sessionWithContainer(stack.service.url, { scenario: 'damaged' });
      const first = await uploadContainer(stack.service.url, sessionId, container);

      const again = await uploadContainer(stack.service.url, sessionId, container);

      expect(first.status).toBe(422);
      expect(first.body).toEqual(problem(422, 'CONTAINER_DAMAGED', { ozErrorCode: 5, retryable: false }));
      expect(again.status).toBe(422);
      expect(again.headers.get('content-type')).toContain('application/problem+json');
      expect(again.body).toEqual(problem(422, 'CONTAINER_DAMAGED', { ozErrorCode: 5, retryable: false }));
      expect(folderCalls(stack.emulator)).toHaveLength(1);
    });

    it.each([
      ['completed', 'live'],
      ['failed', 'no-media'],
    ] as const)('answers 409 SESSION_ALREADY_USED without calling Oz when different bytes come to a %s session', async (_, scenario) => {
      const { sessionId, sessionToken, container } = await sessionWithContainer(stack.service.url, { scenario });
      await uploadContainer(stack.service.url, sessionId, container);
      const other = buildContainer({ token: sessionToken, mediaBytes: 2048 });

      const answer = await uploadContainer(stack.service.url, sessionId, other);

      expect(answer.status).toBe(409);
      expect(answer.body).toEqual(problem(409, 'SESSION_ALREADY_USED', { retryable: false }));
      expect(answer.body).not.toHaveProperty('ozErrorCode');
      expect(folderCalls(stack.emulator)).toHaveLength(1);
    });
  });

  describe('a second upload while the first is with Oz', () => {
    it.each([
      ['the same bytes', false],
      ['other bytes', true],
    ])('answers 409 SESSION_IN_PROGRESS retryable for %s, and Oz sees one call', async (_, otherBytes) => {
      const { sessionId, sessionToken, container } = await sessionWithContainer(stack.service.url, { scenario: 'fault-delay', delayMs: 400 });
      const first = track(uploadContainer(stack.service.url, sessionId, container));
      await foldersCalled(stack.emulator);

      const second = await uploadContainer(stack.service.url, sessionId, otherBytes ? buildContainer({ token: sessionToken }) : container);

      expect(first.settled()).toBe(false);
      expect(second.status).toBe(409);
      expect(second.body).toEqual(problem(409, 'SESSION_IN_PROGRESS', { retryable: true }));
      expect((await first.promise).status).toBe(201);
      expect(folderCalls(stack.emulator)).toHaveLength(1);
    });

    it('lets exactly one of two simultaneous uploads reach Oz and answers the other 409', async () => {
      const { sessionId, container } = await sessionWithContainer(stack.service.url, { scenario: 'fault-delay', delayMs: 100 });

      const answers = await Promise.all([1, 2].map(() => uploadContainer(stack.service.url, sessionId, container)));

      expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
      expect(answers.find((answer) => answer.status === 409)?.body).toEqual(problem(409, 'SESSION_IN_PROGRESS', { retryable: true }));
      expect(folderCalls(stack.emulator)).toHaveLength(1);
    });

    it('shows the session as processing to internal callers while Oz works on it', async () => {
      const { sessionId, container } = await sessionWithContainer(stack.service.url, { scenario: 'fault-delay', delayMs: 300 });
      const first = uploadContainer(stack.service.url, sessionId, container);
      await foldersCalled(stack.emulator);

      const view = await viewSession(stack.service.url, sessionId);

      expect(view.body).toMatchObject({ sessionId, status: 'processing' });
      expect((await first).status).toBe(201);
    });
  });
});

describe('POST /v1/sessions/{sessionId}/liveness after expiresAt', () => {
  let stack: Stack;

  // The fake clock only moves forward, and a step past expiry expires every later session too.
  beforeEach(async () => {
    stack = await startStack();
  });
  afterEach(() => stack.close());

  it('answers 410 SESSION_EXPIRED without calling Oz when the session is still open', async () => {
    const { sessionId, container } = await sessionWithContainer(stack.service.url);
    stack.service.clock.advance(PAST_EXPIRY_MS);

    const answer = await uploadContainer(stack.service.url, sessionId, container);

    expect(answer.status).toBe(410);
    expect(answer.body).toEqual(problem(410, 'SESSION_EXPIRED', { retryable: false }));
    expect(folderCalls(stack.emulator)).toHaveLength(0);
    expect((await viewSession(stack.service.url, sessionId)).body).toMatchObject({ status: 'expired' });
  });

  it('answers 200 with the first body when the same bytes come again after a result', async () => {
    const { sessionId, container } = await sessionWithContainer(stack.service.url);
    const first = await uploadContainer(stack.service.url, sessionId, container);
    stack.service.clock.advance(PAST_EXPIRY_MS);

    const again = await uploadContainer(stack.service.url, sessionId, container);

    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(folderCalls(stack.emulator)).toHaveLength(1);
  });

  it('answers the first 422 again when the same bytes come after a container failure', async () => {
    const { sessionId, container } = await sessionWithContainer(stack.service.url, { scenario: 'no-payload' });
    await uploadContainer(stack.service.url, sessionId, container);
    stack.service.clock.advance(PAST_EXPIRY_MS);

    const again = await uploadContainer(stack.service.url, sessionId, container);

    expect(again.status).toBe(422);
    expect(again.body).toEqual(problem(422, 'CONTAINER_PAYLOAD_MISSING', { ozErrorCode: 3, retryable: false }));
    expect(folderCalls(stack.emulator)).toHaveLength(1);
  });

  it('answers 409 SESSION_ALREADY_USED, not 410, when different bytes come to a completed session', async () => {
    const { sessionId, sessionToken, container } = await sessionWithContainer(stack.service.url);
    await uploadContainer(stack.service.url, sessionId, container);
    stack.service.clock.advance(PAST_EXPIRY_MS);

    const answer = await uploadContainer(stack.service.url, sessionId, buildContainer({ token: sessionToken }));

    expect(answer.status).toBe(409);
    expect(answer.body).toEqual(problem(409, 'SESSION_ALREADY_USED', { retryable: false }));
  });
});
