import { buildContainer, buildReferenceImage } from '../oz-emulator';
import { problem, uploadContainer } from './http';
import { matchFaces, referenceForm } from './internal.helpers';
import { livenessHead, rawExchange } from './liveness.helpers';
import { delta } from './metrics.helpers';
import { AS_COMPANY, attempt, openSession, postSession, subjectAttempts } from './subjects.helpers';
import { startWebhookStack, waitUntil, type WebhookStack } from './webhooks.helpers';

const LIMIT = 2;
const WINDOW_SECONDS = 600;
const exhausted = problem(429, 'ATTEMPTS_EXHAUSTED', { retryable: true });

/** Contract §14, attempt limits: a vouched subject gets ATTEMPT_LIMIT failed attempts per window, then waits. */
describe('attempt limits of vouched subjects', () => {
  let hooks: WebhookStack;
  let subjectCount = 0;
  const url = () => hooks.stack.service.url;
  const tokenCalls = () => hooks.stack.emulator.requests().filter((request) => request.path.startsWith('/api/authorize/session_token')).length;
  const fresh = () => `customer-${++subjectCount}`;

  beforeAll(async () => {
    hooks = await startWebhookStack({ ATTEMPT_LIMIT: String(LIMIT), ATTEMPT_WINDOW_SECONDS: String(WINDOW_SECONDS) });
  });
  afterAll(() => hooks.close());
  beforeEach(() => hooks.stack.emulator.clearRequests());

  async function lock(subjectId: string): Promise<void> {
    for (let i = 0; i < LIMIT; i++) expect((await attempt(url(), subjectId, 'spoof')).status).toBe(201);
  }

  it('counts down attemptsRemaining with each rejected decision of a vouched subject', async () => {
    const subjectId = fresh();

    const answers = [await attempt(url(), subjectId, 'spoof'), await attempt(url(), subjectId, 'spoof')];

    expect(answers.map((answer) => [answer.status, answer.body.decision, answer.body.attemptsRemaining])).toEqual([
      [201, 'rejected', 1],
      [201, 'rejected', 0],
    ]);
  });

  it('does not count accepted or inconclusive decisions, and an accepted one erases nothing', async () => {
    const subjectId = fresh();
    await attempt(url(), subjectId, 'spoof');

    const live = await attempt(url(), subjectId, 'live');
    const inconclusive = await attempt(url(), subjectId, 'analysis-error');

    expect([live.body.attemptsRemaining, inconclusive.body.attemptsRemaining]).toEqual([1, 1]);
    expect((await subjectAttempts(url(), subjectId)).body).toEqual({ subjectId, failures: 1, limit: LIMIT, windowSeconds: WINDOW_SECONDS, lockedUntil: null });
  });

  it('locks the subject at the limit: 429 ATTEMPTS_EXHAUSTED with Retry-After on session creation, Oz not called', async () => {
    const subjectId = fresh();
    await lock(subjectId);
    hooks.stack.emulator.clearRequests();

    const refused = await postSession(url(), AS_COMPANY, { subjectId });

    expect(refused.status).toBe(429);
    expect(refused.body).toEqual(exhausted);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(WINDOW_SECONDS - 60);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(WINDOW_SECONDS);
    expect(tokenCalls()).toBe(0);
    const status = await subjectAttempts(url(), subjectId);
    expect(status.status).toBe(200);
    expect(status.body).toEqual({ subjectId, failures: LIMIT, limit: LIMIT, windowSeconds: WINDOW_SECONDS, lockedUntil: expect.any(String) });
  });

  it('refuses an upload to an open session of a locked subject with 429 before its body is read', async () => {
    const subjectId = fresh();
    const { sessionId } = await openSession(url(), subjectId);
    await lock(subjectId);
    const folderCallsBefore = hooks.stack.emulator.requests().length;

    const head = livenessHead(url(), sessionId, { 'content-type': 'application/octet-stream', 'content-length': String(8 * 1024 * 1024) });
    const answer = await rawExchange(url(), head);

    expect(answer.status).toBe(429);
    expect(answer.body).toEqual(exhausted);
    expect(answer.headers['retry-after']).toMatch(/^\d+$/);
    expect(hooks.stack.emulator.requests()).toHaveLength(folderCallsBefore);
  });

  it('announces the lock once with subject.locked, and counts it in attempt_locks_total', async () => {
    const subjectId = fresh();
    const lockedOf = () =>
      hooks.receiver.deliveries().filter((delivery) => delivery.payload?.type === 'subject.locked' && delivery.payload.data.subjectId === subjectId);

    const counted = await delta(hooks.stack.service.app, () => lock(subjectId));
    await waitUntil(() => lockedOf().length > 0, 'the subject.locked event');

    expect(counted('attempt_locks_total')).toBe(1);
    const locked = lockedOf();
    expect(new Set(locked.map((delivery) => delivery.headers['webhook-id'])).size).toBe(1);
    const lockedUntil = (await subjectAttempts(url(), subjectId)).body.lockedUntil;
    expect(locked[0].payload).toEqual({ type: 'subject.locked', timestamp: expect.any(String), data: { subjectId, failures: LIMIT, lockedUntil } });
  });

  it('unlocks when the oldest failure leaves the window', async () => {
    const subjectId = fresh();
    await attempt(url(), subjectId, 'spoof');
    hooks.stack.service.clock.advance(1_000);
    await attempt(url(), subjectId, 'spoof');
    const { lockedUntil } = (await subjectAttempts(url(), subjectId)).body;

    hooks.stack.service.clock.advance(Date.parse(lockedUntil) - hooks.stack.service.clock.now().getTime());

    expect((await subjectAttempts(url(), subjectId)).body).toMatchObject({ failures: LIMIT - 1, lockedUntil: null });
    expect((await postSession(url(), AS_COMPANY, { subjectId })).status).toBe(201);
  });

  it('forgets the failures with DELETE, which unlocks the subject', async () => {
    const subjectId = fresh();
    await lock(subjectId);

    const forgotten = await subjectAttempts(url(), subjectId, 'DELETE');

    expect(forgotten.status).toBe(204);
    expect(forgotten.bytes).toHaveLength(0);
    expect((await subjectAttempts(url(), subjectId)).body).toEqual({ subjectId, failures: 0, limit: LIMIT, windowSeconds: WINDOW_SECONDS, lockedUntil: null });
    expect((await attempt(url(), subjectId, 'spoof')).body.attemptsRemaining).toBe(LIMIT - 1);
  });

  it('counts a FACE_MISMATCH of face matching as a failed attempt, and answers attemptsRemaining with it', async () => {
    const subjectId = fresh();
    const { sessionId, sessionToken } = await openSession(url(), subjectId);
    await uploadContainer(url(), sessionId, buildContainer({ token: sessionToken, person: 'bio-me', mediaBytes: 1024 }));

    const mismatch = await matchFaces(url(), sessionId, referenceForm(buildReferenceImage('bio-someone-else')));

    expect(mismatch.status).toBe(201);
    expect(mismatch.body).toMatchObject({ subjectId, subjectVerified: true, result: { reason: 'FACE_MISMATCH' }, attemptsRemaining: LIMIT - 1 });
  });

  it('never counts anonymous sessions, whatever subjectId they name, nor refuses them for a locked subject', async () => {
    const subjectId = fresh();
    await lock(subjectId);
    const other = fresh();

    const anonymous = [await attempt(url(), other, 'spoof', {}), await attempt(url(), other, 'spoof', {}), await attempt(url(), other, 'spoof', {})];
    const impostor = await attempt(url(), subjectId, 'spoof', {});

    expect(anonymous.map((answer) => [answer.status, answer.body.attemptsRemaining])).toEqual([
      [201, null],
      [201, null],
      [201, null],
    ]);
    expect((await subjectAttempts(url(), other)).body.failures).toBe(0);
    expect(impostor.status).toBe(201);
    expect((await subjectAttempts(url(), subjectId)).body.failures).toBe(LIMIT);
  });

  it('refuses the attempts routes without a key, and a subjectId that is not one', async () => {
    const noKey = await subjectAttempts(url(), 'customer-x', 'GET', {});
    const bad = await subjectAttempts(url(), 'has space');

    expect(noKey.status).toBe(401);
    expect(noKey.body).toEqual(problem(401, 'UNAUTHORIZED', { retryable: false }));
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual(problem(400, 'VALIDATION_FAILED', { retryable: false }));
  });
});
