import { startStack, type Stack } from '../app.factory';
import { buildContainer } from '../oz-emulator';
import { QUALITY_ERROR } from '../oz-emulator/folders';
import { call, createSession, internal, uploadContainer } from './http';
import { analysedSession, emulatorLivenessFolder, expectProblem, viewSession } from './internal.helpers';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UNKNOWN_SESSION = '6f1c1f9e-6d0a-4b8e-9a37-0c7e5a1d2b3c';

describe('GET /v1/sessions/{sessionId}', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('shows an open session without result or error before any upload', async () => {
    const { sessionId, expiresAt } = await createSession(stack.service.url, { subjectId: 'customer-7' });

    const view = await viewSession(stack.service.url, sessionId);

    expect(view.status).toBe(200);
    expect(view.headers.get('content-type')).toMatch(/^application\/json/);
    expect(view.headers.get('x-request-id')).toEqual(expect.any(String));
    expect(view.body).toEqual({
      sessionId,
      subjectId: 'customer-7',
      subjectVerified: false,
      status: 'open',
      createdAt: expect.stringMatching(ISO),
      expiresAt,
      result: null,
      error: null,
    });
  });

  it('shows a completed live session with its decision, the liveness check with its score, and the best shot held', async () => {
    const folder = await emulatorLivenessFolder(stack.emulator, 'live', 'view-live');
    const { sessionId, upload } = await analysedSession(stack.service.url, { person: 'view-live', eventSessionId: 'evt-view-1' });

    const view = await viewSession(stack.service.url, sessionId);

    expect(view.status).toBe(200);
    expect(view.body).toEqual({
      sessionId,
      subjectId: null,
      subjectVerified: false,
      status: 'completed',
      createdAt: expect.stringMatching(ISO),
      expiresAt: expect.stringMatching(ISO),
      result: {
        decision: 'accepted',
        reason: 'LIVENESS_PASSED',
        folderId: upload.body.folderId,
        eventSessionId: 'evt-view-1',
        completedAt: upload.body.completedAt,
        checks: [{ type: 'liveness', resolution: 'SUCCESS', score: folder.analyses[0].results_data.confidence_spoofing, errorCode: null, errorMessage: null }],
        bestShotAvailable: true,
        receipt: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      },
      error: null,
    });
    expect(view.body.result.checks[0].score).toBeLessThan(0.1);
  });

  it('shows a spoof as rejected with the confidence_spoofing Oz gave as the score', async () => {
    const folder = await emulatorLivenessFolder(stack.emulator, 'spoof', 'view-spoof');
    const { sessionId } = await analysedSession(stack.service.url, { scenario: 'spoof', person: 'view-spoof' });

    const view = await viewSession(stack.service.url, sessionId);

    expect(view.status).toBe(200);
    expect(view.body.status).toBe('completed');
    expect(view.body.result).toMatchObject({
      decision: 'rejected',
      reason: 'LIVENESS_DECLINED',
      checks: [{ type: 'liveness', resolution: 'DECLINED', score: folder.analyses[0].results_data.confidence_spoofing, errorCode: null, errorMessage: null }],
      bestShotAvailable: true,
    });
    expect(view.body.result.checks[0].score).toBeGreaterThanOrEqual(0.9);
  });

  it('shows an analysis error as inconclusive with the Oz error code and message, and no best shot', async () => {
    const { sessionId } = await analysedSession(stack.service.url, { scenario: 'analysis-error' });

    const view = await viewSession(stack.service.url, sessionId);

    expect(view.status).toBe(200);
    expect(view.body.result).toMatchObject({
      decision: 'inconclusive',
      reason: 'ANALYSIS_FAILED',
      checks: [{ type: 'liveness', resolution: 'FAILED', score: null, errorCode: QUALITY_ERROR.code, errorMessage: QUALITY_ERROR.message }],
      bestShotAvailable: false,
    });
    expect(view.body.error).toBeNull();
  });

  it.each([
    ['damaged', 'CONTAINER_DAMAGED', 5],
    ['no-payload', 'CONTAINER_PAYLOAD_MISSING', 3],
    ['no-media', 'CONTAINER_MEDIA_MISSING', 4],
    ['tampered', 'CONTAINER_INVALID', 14],
  ] as const)('shows a session failed by a %s container as failed with the problem code and Oz code', async (scenario, code, ozErrorCode) => {
    const { sessionId, upload } = await analysedSession(stack.service.url, { scenario });
    expectProblem(upload, 422, code, { ozErrorCode });

    const view = await viewSession(stack.service.url, sessionId);

    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ sessionId, status: 'failed', result: null, error: { code, ozErrorCode } });
  });

  it('shows processing while the container is with Oz', async () => {
    const { sessionId, sessionToken } = await createSession(stack.service.url);
    const pending = uploadContainer(stack.service.url, sessionId, buildContainer({ token: sessionToken, scenario: 'fault-delay', delayMs: 400 }));
    await waitFor(async () => stack.emulator.requests().some((r) => r.path.startsWith('/api/instant/folders')));

    const during = await viewSession(stack.service.url, sessionId);
    const upload = await pending;
    const after = await viewSession(stack.service.url, sessionId);

    expect(during.body).toMatchObject({ status: 'processing', result: null, error: null });
    expect(upload.status).toBe(201);
    expect(after.body).toMatchObject({ status: 'completed', result: { decision: 'accepted' } });
  });

  it('answers 404 SESSION_NOT_FOUND for an unknown session', async () => {
    const answer = await viewSession(stack.service.url, UNKNOWN_SESSION);

    expectProblem(answer, 404, 'SESSION_NOT_FOUND', { retryable: false });
  });

  it.each(['not-a-uuid', '12345', `${UNKNOWN_SESSION}0`])('answers 400 VALIDATION_FAILED for the session id %s', async (id) => {
    const answer = await viewSession(stack.service.url, id);

    expectProblem(answer, 400, 'VALIDATION_FAILED', { retryable: false });
  });

  it('shows the public liveness answer without scores, checks or images', async () => {
    const { sessionId, upload } = await analysedSession(stack.service.url, { person: 'public-answer' });

    expect(upload.status).toBe(201);
    expect(upload.body).toEqual({
      sessionId,
      status: 'completed',
      decision: 'accepted',
      reason: 'LIVENESS_PASSED',
      folderId: expect.any(String),
      eventSessionId: expect.any(String),
      completedAt: expect.stringMatching(ISO),
      receipt: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      attemptsRemaining: null,
    });
  });
});

describe('GET /v1/sessions/{sessionId} over time', () => {
  const RESULT_TTL_SECONDS = 3600;
  let stack: Stack;

  beforeEach(async () => {
    stack = await startStack({ RESULT_TTL_SECONDS: String(RESULT_TTL_SECONDS) });
  });
  afterEach(() => stack.close());

  it('shows an open session as expired once its expiresAt has passed', async () => {
    const { sessionId, expiresAt } = await createSession(stack.service.url);
    const untilExpiry = new Date(expiresAt).getTime() - stack.service.clock.now().getTime();

    stack.service.clock.advance(untilExpiry - 1);
    const before = await viewSession(stack.service.url, sessionId);
    stack.service.clock.advance(1);
    const after = await viewSession(stack.service.url, sessionId);

    expect(before.body).toMatchObject({ status: 'open', expiresAt });
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ sessionId, status: 'expired', expiresAt, result: null, error: null });
  });

  it('keeps a completed session completed after its expiresAt', async () => {
    const { sessionId } = await analysedSession(stack.service.url);
    const view = await viewSession(stack.service.url, sessionId);

    stack.service.clock.advance(new Date(view.body.expiresAt).getTime() - stack.service.clock.now().getTime() + 1000);
    const later = await viewSession(stack.service.url, sessionId);

    expect(later.body).toMatchObject({ status: 'completed', result: { decision: 'accepted' } });
  });

  it('purges a session and its result RESULT_TTL_SECONDS after creation: 404 SESSION_NOT_FOUND', async () => {
    const { sessionId } = await analysedSession(stack.service.url);

    stack.service.clock.advance(RESULT_TTL_SECONDS * 1000 - 1);
    const before = await viewSession(stack.service.url, sessionId);
    stack.service.clock.advance(1);
    const after = await viewSession(stack.service.url, sessionId);
    const bestShot = await call(`${stack.service.url}/v1/sessions/${sessionId}/best-shot`, { headers: internal() });

    expect(before.status).toBe(200);
    expect(before.body.result).toMatchObject({ decision: 'accepted' });
    expectProblem(after, 404, 'SESSION_NOT_FOUND');
    expectProblem(bestShot, 404, 'SESSION_NOT_FOUND');
  });

  it('purges an open session that never took a container after RESULT_TTL_SECONDS', async () => {
    const { sessionId } = await createSession(stack.service.url);

    stack.service.clock.advance(RESULT_TTL_SECONDS * 1000);
    const after = await viewSession(stack.service.url, sessionId);

    expectProblem(after, 404, 'SESSION_NOT_FOUND');
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
