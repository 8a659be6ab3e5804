import { randomUUID } from 'node:crypto';
import { Logger, type LoggerService } from '@nestjs/common';
import { FakeOzApiGateway } from '../../fakes/fake-oz-gateway';
import { AttemptLimits } from '../../../src/attempts/attempt-limits';
import { InMemoryAttemptLedger } from '../../../src/attempts/in-memory-attempt-ledger';
import { AppError } from '../../../src/common/app-error';
import { DecisionService } from '../../../src/decision/decision.service';
import type { ContainerBytes } from '../../../src/oz-api/oz-api.gateway';
import { OzApiError } from '../../../src/oz-api/oz-api.error';
import { JPEG_BYTES, ozFolder } from '../../fixtures/oz-folders';
import type { ContainerDiagnostics, DiagnosticsNote } from '../../../src/liveness/container-diagnostics';
import { LivenessService } from '../../../src/liveness/liveness.service';
import { bodyOf, containerReceiver, problemOf, SESSION_TTL_MS, sessionsKit, type SessionsKit } from '../toolkit';

const REQUEST_ID = 'req-1';
const ADDRESS = '203.0.113.9';
const TOKEN = 'session-token-of-the-test';
const CONTAINER = Buffer.from('container bytes \x00\x01\x02 exactly as the SDK produced them', 'latin1');
const OTHER_CONTAINER = Buffer.from('another container', 'latin1');

/** Records what the service asked to keep, and nothing else. */
class RecordingDiagnostics {
  readonly kept: { container: ContainerBytes; note: DiagnosticsNote }[] = [];

  async keep(container: ContainerBytes, note: DiagnosticsNote): Promise<void> {
    this.kept.push({ container, note });
  }
}

/** Captures the analysis log lines (and keeps test output quiet). */
class RecordingLogger implements LoggerService {
  readonly lines: unknown[] = [];
  log(message: unknown): void {
    this.lines.push(message);
  }
  error(message: unknown): void {
    this.lines.push(message);
  }
  warn(message: unknown): void {
    this.lines.push(message);
  }
}

/** Failures that must leave the session open for a retry, and what the client is told. */
const NON_CONTAINER_FAILURES: [string, unknown, { code: string; status: number; ozErrorCode: number | null }][] = [
  ['Oz answered 500', new OzApiError('server', 500, 0, 'x'), { code: 'UPSTREAM_ERROR', status: 502, ozErrorCode: 0 }],
  ['Oz timed out', new OzApiError('timeout', null, null, 'x'), { code: 'UPSTREAM_TIMEOUT', status: 504, ozErrorCode: null }],
  ['Oz sent a bad response', new OzApiError('bad-response', null, null, 'x'), { code: 'UPSTREAM_ERROR', status: 502, ozErrorCode: null }],
  ['Oz was unreachable', new OzApiError('unreachable', null, null, 'x'), { code: 'UPSTREAM_UNAVAILABLE', status: 503, ozErrorCode: null }],
  ['the service was saturated', new OzApiError('saturated', null, null, 'x'), { code: 'UPSTREAM_UNAVAILABLE', status: 503, ozErrorCode: null }],
  ['Oz answered 404 with code 14', new OzApiError('rejected', 404, 14, 'x'), { code: 'UPSTREAM_ERROR', status: 502, ozErrorCode: 14 }],
  ['Oz answered an auth error', new OzApiError('rejected', 401, 7, 'x'), { code: 'UPSTREAM_ERROR', status: 502, ozErrorCode: 7 }],
  ['Oz answered 400 with another code', new OzApiError('rejected', 400, 2, 'x'), { code: 'UPSTREAM_ERROR', status: 502, ozErrorCode: 2 }],
];

/** Failures after the whole container went out, with no usable answer: Oz may have used the token. */
const MAY_HAVE_USED: [string, OzApiError][] = [
  ['Oz answered 500', new OzApiError('server', 500, 0, 'x').afterRequestSent()],
  ['Oz timed out', new OzApiError('timeout', null, null, 'x').afterRequestSent()],
  ['Oz reset the connection', new OzApiError('reset', null, null, 'x').afterRequestSent()],
  ['Oz sent a bad response', new OzApiError('bad-response', 201, null, 'x').afterRequestSent()],
];

const CONTAINER_FAILURES = [
  [3, 'CONTAINER_PAYLOAD_MISSING', 422],
  [4, 'CONTAINER_MEDIA_MISSING', 422],
  [5, 'CONTAINER_DAMAGED', 422],
  [13, 'CONTAINER_MISSING', 400],
  [14, 'CONTAINER_INVALID', 422],
] as const;

const NO_ATTEMPT_LIMIT = new AttemptLimits(new InMemoryAttemptLedger({ limit: 0, windowMs: 1 }), { limit: 0, windowSeconds: 1 });

describe('LivenessService', () => {
  let gateway: FakeOzApiGateway;
  let kit: SessionsKit;
  let diagnostics: RecordingDiagnostics;
  let logger: RecordingLogger;
  let service: LivenessService;

  beforeEach(async () => {
    kit = await sessionsKit();
    logger = new RecordingLogger();
    Logger.overrideLogger(logger);
    gateway = new FakeOzApiGateway();
    diagnostics = new RecordingDiagnostics();
    service = new LivenessService(
      gateway,
      kit.lifecycle,
      new DecisionService(),
      containerReceiver(),
      diagnostics as unknown as ContainerDiagnostics,
      NO_ATTEMPT_LIMIT,
      null,
    );
  });

  afterEach(() => kit.close());

  async function openSession(): Promise<string> {
    return (await kit.lifecycle.open({ subjectId: null, subjectVerified: false }, TOKEN, null)).id;
  }

  const upload = (sessionId: string, container = CONTAINER, requestId = REQUEST_ID, token = TOKEN) =>
    service.upload({ sessionId, token, body: bodyOf(container), declaredLength: container.length, address: ADDRESS, requestId });
  const stored = (sessionId: string) => kit.store.get(sessionId, kit.clock.now());
  /** The problem the client is told for a rejected upload (an absent ozErrorCode as null). */
  const refusal = async (pending: Promise<unknown>) => {
    const body = problemOf(
      await pending.then(
        () => null,
        (thrown: unknown) => thrown,
      ),
    );
    return { ...body, ozErrorCode: body.ozErrorCode ?? null };
  };

  describe('a completed analysis', () => {
    it('answers the decision and records the result and the best shot on the session', async () => {
      const sessionId = await openSession();
      gateway.answerFolder('analyzeContainer', ozFolder({ bestShot: JPEG_BYTES }));

      const outcome = await upload(sessionId);

      expect(outcome).toEqual({
        replayed: false,
        answer: {
          sessionId,
          status: 'completed',
          decision: 'accepted',
          reason: 'LIVENESS_PASSED',
          folderId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
          eventSessionId: 'evt-123',
          completedAt: kit.clock.now().toISOString(),
          receipt: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
          attemptsRemaining: null,
        },
      });
      await expect(stored(sessionId)).resolves.toMatchObject({
        status: 'completed',
        result: { decision: 'accepted', liveness: { decision: 'accepted' }, checks: [{ type: 'liveness', resolution: 'SUCCESS', score: 0.03 }] },
      });
      await expect(kit.store.getBestShot(sessionId, kit.clock.now())).resolves.toEqual({ state: 'held', bytes: JPEG_BYTES });
    });

    it('publishes verification.completed with the session exactly as the store holds it', async () => {
      const sessionId = await openSession();
      gateway.answerFolder('analyzeContainer', ozFolder({ bestShot: JPEG_BYTES }));

      await upload(sessionId);

      const event = kit.published.at(-1);
      expect(event).toMatchObject({ type: 'verification.completed', eventId: expect.stringMatching(/^evt_/) });
      expect(event && 'session' in event ? event.session : null).toEqual(await stored(sessionId));
    });

    it('publishes verification.failed with the session exactly as the store holds it', async () => {
      const sessionId = await openSession();
      gateway.fail('analyzeContainer', new OzApiError('rejected', 400, 5, 'x'));

      await upload(sessionId).catch(() => undefined);

      const event = kit.published.at(-1);
      expect(event?.type).toBe('verification.failed');
      expect(event && 'session' in event ? event.session : null).toEqual(await stored(sessionId));
    });

    it('hands the gateway the very chunks it received, with the request id', async () => {
      const sessionId = await openSession();
      gateway.answerFolder('analyzeContainer', ozFolder());

      await upload(sessionId, CONTAINER, 'req-42');

      expect(gateway.calls.analyzeContainer).toHaveLength(1);
      expect(gateway.calls.analyzeContainer[0].chunks).toEqual([CONTAINER]);
      expect(gateway.calls.analyzeContainer[0].container.equals(Buffer.from('container bytes \x00\x01\x02 exactly as the SDK produced them', 'latin1'))).toBe(
        true,
      );
      expect(gateway.calls.analyzeContainer[0].ctx).toEqual({ requestId: 'req-42' });
    });

    it('records a rejected liveness as not accepted', async () => {
      const sessionId = await openSession();
      gateway.answerFolder('analyzeContainer', ozFolder({ systemResolution: 'DECLINED' }));

      const { answer } = await upload(sessionId);

      expect(answer).toMatchObject({ decision: 'rejected', reason: 'LIVENESS_DECLINED' });
      await expect(stored(sessionId)).resolves.toMatchObject({ status: 'completed', result: { liveness: { decision: 'rejected' } } });
    });

    it('writes one analysis log line with identifiers and outcome, and no container bytes', async () => {
      const sessionId = await openSession();
      gateway.answerFolder('analyzeContainer', ozFolder());

      await upload(sessionId);

      expect(logger.lines).toEqual([
        expect.objectContaining({
          analysis: 'liveness',
          requestId: REQUEST_ID,
          sessionId,
          folderId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
          eventSessionId: 'evt-123',
          ozStatus: 200,
          ozErrorCode: null,
          decision: 'accepted',
        }),
      ]);
      expect(JSON.stringify(logger.lines)).not.toContain('container bytes');
    });

    it('writes the analysis line when Oz answered even if recording the result then fails', async () => {
      const sessionId = await openSession();
      gateway.answerFolder('analyzeContainer', ozFolder());
      const unavailable = new AppError('STORE_UNAVAILABLE', 'The session store did not answer in time.');
      jest.spyOn(kit.store, 'complete').mockRejectedValueOnce(unavailable);

      await expect(upload(sessionId)).rejects.toBe(unavailable);

      expect(logger.lines).toEqual([expect.objectContaining({ analysis: 'liveness', sessionId, ozStatus: 200, decision: 'accepted' })]);
      await expect(stored(sessionId)).resolves.toMatchObject({ status: 'open', lease: null });
    });

    it('answers a retry of the same bytes with the same answer and replayed: true, without calling Oz again, even after expiresAt', async () => {
      const sessionId = await openSession();
      gateway.answerFolder('analyzeContainer', ozFolder());
      const first = await upload(sessionId);
      kit.clock.advance(SESSION_TTL_MS + 1);

      const again = await upload(sessionId, Buffer.from(CONTAINER));

      expect(again).toEqual({ replayed: true, answer: first.answer });
      expect(gateway.calls.analyzeContainer).toHaveLength(1);
    });

    it('refuses other bytes with SESSION_ALREADY_USED without calling Oz', async () => {
      const sessionId = await openSession();
      gateway.answerFolder('analyzeContainer', ozFolder());
      await upload(sessionId);

      await expect(upload(sessionId, OTHER_CONTAINER)).rejects.toMatchObject({ code: 'SESSION_ALREADY_USED', status: 409 });
      expect(gateway.calls.analyzeContainer).toHaveLength(1);
    });
  });

  describe('refusals before Oz', () => {
    it('refuses an empty container with CONTAINER_MISSING and leaves the session open', async () => {
      const sessionId = await openSession();

      await expect(upload(sessionId, Buffer.alloc(0))).rejects.toMatchObject({ code: 'CONTAINER_MISSING', status: 400 });
      expect(gateway.callCount).toBe(0);
      await expect(stored(sessionId)).resolves.toMatchObject({ status: 'open' });
    });

    it('refuses an empty container with CONTAINER_MISSING even for an unknown session (400 before 404)', async () => {
      await expect(upload(randomUUID(), Buffer.alloc(0))).rejects.toMatchObject({ code: 'CONTAINER_MISSING' });
    });

    it("refuses a token that is not the session's with 401, reading nothing and leaving the session as it was", async () => {
      const sessionId = await openSession();
      const body = bodyOf(CONTAINER);
      const reads = jest.spyOn(body, 'on');

      await expect(
        service.upload({ sessionId, token: 'token-of-another-session', body, declaredLength: CONTAINER.length, address: ADDRESS, requestId: REQUEST_ID }),
      ).rejects.toMatchObject({
        code: 'UNAUTHORIZED',
        status: 401,
        headers: { 'www-authenticate': 'Bearer' },
      });
      expect(reads).not.toHaveBeenCalled();
      expect(gateway.callCount).toBe(0);
      await expect(stored(sessionId)).resolves.toMatchObject({ status: 'open', containerSha256: null });
    });

    it('answers 404 before 401 when the session is unknown, whatever the token', async () => {
      await expect(upload(randomUUID(), CONTAINER, REQUEST_ID, 'any-token')).rejects.toMatchObject({ code: 'SESSION_NOT_FOUND' });
    });

    it('answers 401 before 410 for an expired session and a wrong token', async () => {
      const sessionId = await openSession();
      kit.clock.advance(SESSION_TTL_MS);

      await expect(upload(sessionId, CONTAINER, REQUEST_ID, 'wrong')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    });

    it('refuses at once, reading nothing, when no Oz slot is free for a first upload', async () => {
      const sessionId = await openSession();
      gateway.capacity = false;

      await expect(upload(sessionId)).rejects.toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        status: 503,
        retryAfterSeconds: 1,
        headers: { connection: 'close' },
      });
      await expect(stored(sessionId)).resolves.toMatchObject({ status: 'open' });
    });

    it('answers a replay from the store even while no Oz slot is free', async () => {
      const sessionId = await openSession();
      gateway.answerFolder('analyzeContainer', ozFolder());
      const first = await upload(sessionId);
      gateway.capacity = false;

      await expect(upload(sessionId)).resolves.toEqual({ replayed: true, answer: first.answer });
    });

    it('answers SESSION_NOT_FOUND for an unknown session', async () => {
      await expect(upload(randomUUID())).rejects.toMatchObject({ code: 'SESSION_NOT_FOUND', status: 404 });
      expect(gateway.callCount).toBe(0);
    });

    it('answers SESSION_EXPIRED for an open session past its expiresAt, without calling Oz', async () => {
      const sessionId = await openSession();
      kit.clock.advance(SESSION_TTL_MS);

      await expect(upload(sessionId)).rejects.toMatchObject({ code: 'SESSION_EXPIRED', status: 410 });
      expect(gateway.callCount).toBe(0);
    });

    it('answers SESSION_IN_PROGRESS to a second upload while the first is still with Oz', async () => {
      const sessionId = await openSession();
      gateway.answerFolder('analyzeContainer', ozFolder());
      const held = gateway.hold('analyzeContainer');
      const first = upload(sessionId);
      await held.arrived;

      // Retry-After: until the holder's lease (OZ_TIMEOUT_MS + 10 s) ends at the latest.
      await expect(upload(sessionId)).rejects.toMatchObject({ code: 'SESSION_IN_PROGRESS', status: 409, retryable: true, retryAfterSeconds: 70 });
      kit.clock.advance(30_500);
      await expect(upload(sessionId, OTHER_CONTAINER)).rejects.toMatchObject({ code: 'SESSION_IN_PROGRESS', retryAfterSeconds: 40 });

      held.release();
      await expect(first).resolves.toMatchObject({ replayed: false, answer: { decision: 'accepted' } });
      expect(gateway.calls.analyzeContainer).toHaveLength(1);
    });
  });

  describe('failures that leave the session open', () => {
    it.each(NON_CONTAINER_FAILURES)('keeps the session open when %s, and a retry is analysed', async (_, error, expected) => {
      const sessionId = await openSession();
      gateway.fail('analyzeContainer', error).answerFolder('analyzeContainer', ozFolder());

      expect(await refusal(upload(sessionId))).toMatchObject(expected);
      await expect(stored(sessionId)).resolves.toMatchObject({ status: 'open', containerSha256: null, failure: null, lease: null });

      await expect(upload(sessionId, OTHER_CONTAINER)).resolves.toMatchObject({ replayed: false, answer: { decision: 'accepted' } });
      expect(gateway.calls.analyzeContainer).toHaveLength(2);
      expect(diagnostics.kept).toEqual([]);
    });

    it.each(MAY_HAVE_USED)('marks the session when %s after the whole container was sent (§18)', async (_, error) => {
      const sessionId = await openSession();
      gateway.fail('analyzeContainer', error);

      await upload(sessionId).catch(() => undefined);

      await expect(stored(sessionId)).resolves.toMatchObject({ status: 'open', captureMayBeUsed: true });
    });

    it.each(NON_CONTAINER_FAILURES)('does not mark the session when %s before the container was all sent', async (_, error) => {
      const sessionId = await openSession();
      gateway.fail('analyzeContainer', error);

      await upload(sessionId).catch(() => undefined);

      await expect(stored(sessionId)).resolves.toMatchObject({ status: 'open', captureMayBeUsed: false });
    });

    it('does not mark the session when Oz refused the request after it was all sent', async () => {
      const sessionId = await openSession();
      gateway.fail('analyzeContainer', new OzApiError('rejected', 401, 7, 'x').afterRequestSent());

      await upload(sessionId).catch(() => undefined);

      await expect(stored(sessionId)).resolves.toMatchObject({ status: 'open', captureMayBeUsed: false });
    });

    it('rethrows an unexpected (non-Oz) error unchanged and keeps the session open', async () => {
      const sessionId = await openSession();
      const defect = new TypeError('boom');
      gateway.fail('analyzeContainer', defect);

      await expect(upload(sessionId)).rejects.toBe(defect);
      await expect(stored(sessionId)).resolves.toMatchObject({ status: 'open', containerSha256: null });
      expect(diagnostics.kept).toEqual([]);
    });
  });

  describe('container rejections that fail the session', () => {
    it.each(CONTAINER_FAILURES)('fails the session for good after Oz 400 with code %i (%s)', async (ozErrorCode, code, status) => {
      const sessionId = await openSession();
      gateway.fail('analyzeContainer', new OzApiError('rejected', 400, ozErrorCode, 'x'));

      const error = await upload(sessionId).catch((thrown: unknown) => thrown);

      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code, status, ozErrorCode, retryable: false });
      await expect(stored(sessionId)).resolves.toMatchObject({ status: 'failed', failure: { code, ozErrorCode } });
    });

    it.each(CONTAINER_FAILURES)(
      'answers a retry of the same bytes after code %i with the same error, without calling Oz',
      async (ozErrorCode, code, status) => {
        const sessionId = await openSession();
        gateway.fail('analyzeContainer', new OzApiError('rejected', 400, ozErrorCode, 'x'));
        const first = (await upload(sessionId).catch((thrown: unknown) => thrown)) as AppError;
        kit.clock.advance(SESSION_TTL_MS + 1);

        const again = await upload(sessionId, Buffer.from(CONTAINER)).catch((thrown: unknown) => thrown);

        expect(again).toBeInstanceOf(AppError);
        expect(again).toMatchObject({ code, status, ozErrorCode, detail: first.detail, retryable: false });
        expect(gateway.calls.analyzeContainer).toHaveLength(1);
      },
    );

    it('fails with NEW_CAPTURE_REQUIRED, not CONTAINER_INVALID, when Oz answers 14 after it may have used the capture', async () => {
      const sessionId = await openSession();
      gateway.fail('analyzeContainer', new OzApiError('timeout', null, null, 'x').afterRequestSent(), new OzApiError('rejected', 400, 14, 'x'));
      await upload(sessionId).catch(() => undefined);

      expect(await refusal(upload(sessionId))).toMatchObject({ status: 410, code: 'NEW_CAPTURE_REQUIRED', ozErrorCode: 14, retryable: false });
      await expect(stored(sessionId)).resolves.toMatchObject({ status: 'failed', failure: { code: 'NEW_CAPTURE_REQUIRED', ozErrorCode: 14 } });
      expect(await refusal(upload(sessionId))).toMatchObject({ status: 410, code: 'NEW_CAPTURE_REQUIRED' });
      expect(gateway.calls.analyzeContainer).toHaveLength(2);
    });

    it('fails with NEW_CAPTURE_REQUIRED when Oz answers 14 within 60 s of the token expiry', async () => {
      const sessionId = await openSession();
      gateway.fail('analyzeContainer', new OzApiError('rejected', 400, 14, 'x'));
      kit.clock.advance(SESSION_TTL_MS - 60_000);

      expect(await refusal(upload(sessionId))).toMatchObject({ status: 410, code: 'NEW_CAPTURE_REQUIRED', ozErrorCode: 14 });
    });

    it('refuses other bytes after a container rejection with SESSION_ALREADY_USED', async () => {
      const sessionId = await openSession();
      gateway.fail('analyzeContainer', new OzApiError('rejected', 400, 5, 'x'));
      await upload(sessionId).catch(() => undefined);

      await expect(upload(sessionId, OTHER_CONTAINER)).rejects.toMatchObject({ code: 'SESSION_ALREADY_USED', status: 409 });
      expect(gateway.calls.analyzeContainer).toHaveLength(1);
    });

    it('keeps the container for diagnostics after code 14, with the exact bytes and a note', async () => {
      const sessionId = await openSession();
      gateway.fail('analyzeContainer', new OzApiError('rejected', 400, 14, 'x'));

      await upload(sessionId, CONTAINER, 'req-14').catch(() => undefined);

      expect(diagnostics.kept).toEqual([
        { container: expect.objectContaining({ length: CONTAINER.length }), note: { requestId: 'req-14', sessionId, ozErrorCode: 14 } },
      ]);
      expect(Buffer.concat(diagnostics.kept[0].container.chunks).equals(CONTAINER)).toBe(true);
    });

    it.each([3, 4, 5, 13])('keeps no container after code %i', async (ozErrorCode) => {
      const sessionId = await openSession();
      gateway.fail('analyzeContainer', new OzApiError('rejected', 400, ozErrorCode, 'x'));

      await upload(sessionId).catch(() => undefined);

      expect(diagnostics.kept).toEqual([]);
    });

    it('keeps nothing when a replay of a code 14 container is answered from the store', async () => {
      const sessionId = await openSession();
      gateway.fail('analyzeContainer', new OzApiError('rejected', 400, 14, 'x'));
      await upload(sessionId).catch(() => undefined);

      await upload(sessionId).catch(() => undefined);

      expect(diagnostics.kept).toHaveLength(1);
    });
  });
});
