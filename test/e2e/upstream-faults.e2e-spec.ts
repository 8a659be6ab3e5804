import { startStack, type Stack } from '../app.factory';
import { buildContainer } from '../oz-emulator';
import { type Answer, problem, uploadContainer } from './http';
import { folderCalls, sessionWithContainer, viewSession } from './liveness.helpers';

const OZ_TIMEOUT_MS = 300;

describe('POST /v1/sessions/{sessionId}/liveness when Oz misbehaves', () => {
  let stack: Stack;

  // One analysis slot: each retry that succeeds also proves the failed call gave its slot back.
  beforeAll(async () => {
    stack = await startStack({ OZ_TIMEOUT_MS: String(OZ_TIMEOUT_MS), OZ_MAX_CONCURRENCY: '1' });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.emulator.clearRequests());
  afterEach(() => stack.emulator.clearFaults());

  /** Upstream trouble never fails the session: it stays open and a good container is then analysed. */
  async function expectRetrySucceeds(sessionId: string, token: string) {
    expect((await viewSession(stack.service.url, sessionId)).body).toMatchObject({ status: 'open', error: null });
    const retry = await uploadContainer(stack.service.url, sessionId, buildContainer({ token }));
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ sessionId, decision: 'accepted' });
  }

  function expectProblem(answer: Answer, status: number, code: string, extra: Record<string, unknown>) {
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.body).toEqual(problem(status, code, extra));
    expect(answer.body.requestId).toBe(answer.headers.get('x-request-id'));
  }

  it.each([500, 503])('answers 502 UPSTREAM_ERROR retryable with ozErrorCode 0 when Oz answers %i', async (status) => {
    const { sessionId, sessionToken, container } = await sessionWithContainer(stack.service.url);
    stack.emulator.armFault({ kind: 'status', status, route: 'folders' });

    const answer = await uploadContainer(stack.service.url, sessionId, container);

    expectProblem(answer, 502, 'UPSTREAM_ERROR', { retryable: true, ozErrorCode: 0 });
    expect(answer.headers.get('retry-after')).toBeNull();
    expect(answer.bytes.toString('utf8')).not.toContain('Unknown server error');
    await expectRetrySucceeds(sessionId, sessionToken);
  });

  it('answers 502 UPSTREAM_ERROR retryable when the container makes Oz answer 5xx (scenario fault-5xx)', async () => {
    const { sessionId, sessionToken, container } = await sessionWithContainer(stack.service.url, { scenario: 'fault-5xx' });

    const answer = await uploadContainer(stack.service.url, sessionId, container);

    expectProblem(answer, 502, 'UPSTREAM_ERROR', { retryable: true, ozErrorCode: 0 });
    await expectRetrySucceeds(sessionId, sessionToken);
  });

  it('answers 502 UPSTREAM_ERROR retryable without ozErrorCode when Oz resets the connection', async () => {
    const { sessionId, sessionToken, container } = await sessionWithContainer(stack.service.url, { scenario: 'fault-reset' });

    const answer = await uploadContainer(stack.service.url, sessionId, container);

    expectProblem(answer, 502, 'UPSTREAM_ERROR', { retryable: true });
    expect(answer.body).not.toHaveProperty('ozErrorCode');
    expect(folderCalls(stack.emulator)).toHaveLength(1);
    await expectRetrySucceeds(sessionId, sessionToken);
  });

  it('answers 502 UPSTREAM_ERROR retryable when Oz answers 201 with a body that is not JSON', async () => {
    const { sessionId, sessionToken, container } = await sessionWithContainer(stack.service.url);
    stack.emulator.armFault({ kind: 'non-json', route: 'folders' });

    const answer = await uploadContainer(stack.service.url, sessionId, container);

    expectProblem(answer, 502, 'UPSTREAM_ERROR', { retryable: true });
    await expectRetrySucceeds(sessionId, sessionToken);
  });

  it('answers 504 UPSTREAM_TIMEOUT retryable when Oz stalls in the middle of its body', async () => {
    const { sessionId, sessionToken, container } = await sessionWithContainer(stack.service.url, { scenario: 'fault-stall' });

    const answer = await uploadContainer(stack.service.url, sessionId, container);

    expectProblem(answer, 504, 'UPSTREAM_TIMEOUT', { retryable: true });
    await expectRetrySucceeds(sessionId, sessionToken);
  });

  it('answers 504 UPSTREAM_TIMEOUT retryable when Oz answers after OZ_TIMEOUT_MS', async () => {
    const { sessionId, container } = await sessionWithContainer(stack.service.url);
    stack.emulator.armFault({ kind: 'delay', delayMs: OZ_TIMEOUT_MS + 200, route: 'folders' });

    const answer = await uploadContainer(stack.service.url, sessionId, container);

    // Without the deadline this would be the 201 that Oz sends 200 ms after it.
    expectProblem(answer, 504, 'UPSTREAM_TIMEOUT', { retryable: true });
    // The late Oz still used up this container's token, so the retry brings a new capture.
    await expectRetrySucceeds(sessionId, await stack.emulator.issueToken());
  });

  it.each([
    [401, 7],
    [403, 9],
    [404, 10],
    [413, 4],
  ])('answers 502 UPSTREAM_ERROR not retryable when Oz answers %i (code %i), and leaves the session open', async (status, ozErrorCode) => {
    const { sessionId, sessionToken, container } = await sessionWithContainer(stack.service.url);
    stack.emulator.armFault({ kind: 'status', status, route: 'folders' });

    const answer = await uploadContainer(stack.service.url, sessionId, container);

    expectProblem(answer, 502, 'UPSTREAM_ERROR', { retryable: false, ozErrorCode });
    await expectRetrySucceeds(sessionId, sessionToken);
  });

  describe('a capture that Oz may already have used (§18)', () => {
    async function expectNewCaptureRequired(sessionId: string, answer: Answer) {
      expectProblem(answer, 410, 'NEW_CAPTURE_REQUIRED', { retryable: false, ozErrorCode: 14 });
      const view = await viewSession(stack.service.url, sessionId);
      expect(view.body).toMatchObject({ status: 'failed', error: { code: 'NEW_CAPTURE_REQUIRED', ozErrorCode: 14 } });
    }

    it('answers 410 NEW_CAPTURE_REQUIRED, not 422, to the retry after Oz used the token and timed out', async () => {
      // Oz takes the token as the container arrives, then answers too late.
      const { sessionId, container } = await sessionWithContainer(stack.service.url, { scenario: 'fault-delay', delayMs: OZ_TIMEOUT_MS + 200 });
      expectProblem(await uploadContainer(stack.service.url, sessionId, container), 504, 'UPSTREAM_TIMEOUT', { retryable: true });

      const retry = await uploadContainer(stack.service.url, sessionId, container);

      await expectNewCaptureRequired(sessionId, retry);
      expect(folderCalls(stack.emulator)).toHaveLength(2);
      // The same bytes again: the same answer, from the store.
      expectProblem(await uploadContainer(stack.service.url, sessionId, container), 410, 'NEW_CAPTURE_REQUIRED', { retryable: false, ozErrorCode: 14 });
      expect(folderCalls(stack.emulator)).toHaveLength(2);
    });

    it('answers 410 NEW_CAPTURE_REQUIRED to the retry after Oz answered an unreadable body (scenario fault-non-json)', async () => {
      const { sessionId, container } = await sessionWithContainer(stack.service.url, { scenario: 'fault-non-json' });
      expectProblem(await uploadContainer(stack.service.url, sessionId, container), 502, 'UPSTREAM_ERROR', { retryable: true });

      await expectNewCaptureRequired(sessionId, await uploadContainer(stack.service.url, sessionId, container));
    });

    it('keeps 422 CONTAINER_INVALID for code 14 when Oz never had the capture before', async () => {
      const { sessionId, container } = await sessionWithContainer(stack.service.url, { scenario: 'tampered' });

      const answer = await uploadContainer(stack.service.url, sessionId, container);

      expectProblem(answer, 422, 'CONTAINER_INVALID', { retryable: false, ozErrorCode: 14 });
    });

    it('answers 410 NEW_CAPTURE_REQUIRED for code 14 within 60 s of the token expiry', async () => {
      const { sessionId, container } = await sessionWithContainer(stack.service.url, { scenario: 'tampered' });
      const { body } = await viewSession(stack.service.url, sessionId);
      const expiresAt = Date.parse(String(body.expiresAt));
      stack.service.clock.advance(expiresAt - 30_000 - stack.service.clock.now().getTime());

      await expectNewCaptureRequired(sessionId, await uploadContainer(stack.service.url, sessionId, container));
    });
  });
});
