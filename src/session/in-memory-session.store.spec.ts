import { randomUUID } from 'node:crypto';
import { InMemorySessionStore, MAX_SESSIONS } from './in-memory-session.store';
import type { SessionRecord, SessionResult } from './session.types';

const RESULT_TTL_SECONDS = 3_600;
const BEST_SHOT_TTL_SECONDS = 600;
const SESSION_TTL_MS = 900_000;
const T0 = new Date('2030-01-01T00:00:00.000Z');
const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);
const BEST_SHOT = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);

const at = (ms: number) => new Date(T0.getTime() + ms);

function session(overrides: Partial<SessionRecord> = {}): SessionRecord {
  return {
    id: randomUUID(),
    subjectId: null,
    createdAt: T0,
    expiresAt: at(SESSION_TTL_MS),
    purgeAt: at(RESULT_TTL_SECONDS * 1000),
    status: 'open',
    containerSha256: null,
    result: null,
    failure: null,
    bestShot: { returned: false, heldUntil: null },
    ...overrides,
  };
}

function result(completedAt: Date): SessionResult {
  return {
    decision: 'accepted',
    reason: 'LIVENESS_PASSED',
    folderId: 'folder-1',
    eventSessionId: null,
    completedAt,
    checks: [{ type: 'liveness', resolution: 'SUCCESS', score: 0.03, errorCode: null, errorMessage: null }],
    livenessAccepted: true,
  };
}

describe('InMemorySessionStore', () => {
  let store: InMemorySessionStore;

  beforeEach(() => {
    store = new InMemorySessionStore({ resultTtlSeconds: RESULT_TTL_SECONDS, bestShotTtlSeconds: BEST_SHOT_TTL_SECONDS });
  });

  afterEach(() => store.onApplicationShutdown());

  async function created(overrides: Partial<SessionRecord> = {}): Promise<SessionRecord> {
    const record = session(overrides);
    await store.create(record);
    return record;
  }

  /** A session that went through claim and complete with container SHA_A. */
  async function completed(bestShot: Buffer | null = BEST_SHOT, completedAt = at(1_000)): Promise<SessionRecord> {
    const record = await created();
    await expect(store.claimForUpload(record.id, SHA_A, at(500))).resolves.toEqual({ outcome: 'claimed' });
    await store.complete(record.id, result(completedAt), bestShot);
    return record;
  }

  async function failed(): Promise<SessionRecord> {
    const record = await created();
    await store.claimForUpload(record.id, SHA_A, at(500));
    await store.fail(record.id, { code: 'CONTAINER_INVALID', detail: 'bad container', ozErrorCode: 14 });
    return record;
  }

  describe('claimForUpload', () => {
    it('claims an open session before its expiry and marks it processing with the container hash', async () => {
      const record = await created();

      await expect(store.claimForUpload(record.id, SHA_A, at(SESSION_TTL_MS - 1))).resolves.toEqual({ outcome: 'claimed' });
      await expect(store.get(record.id, at(0))).resolves.toMatchObject({ status: 'processing', containerSha256: SHA_A });
    });

    it('answers not-found for an unknown session', async () => {
      await expect(store.claimForUpload(randomUUID(), SHA_A, T0)).resolves.toEqual({ outcome: 'not-found' });
    });

    it('answers expired for an open session at or after its expiresAt, and leaves it open', async () => {
      const record = await created();

      await expect(store.claimForUpload(record.id, SHA_A, at(SESSION_TTL_MS))).resolves.toEqual({ outcome: 'expired' });
      await expect(store.claimForUpload(record.id, SHA_A, at(SESSION_TTL_MS + 60_000))).resolves.toEqual({ outcome: 'expired' });
      await expect(store.get(record.id, at(SESSION_TTL_MS))).resolves.toMatchObject({ status: 'open', containerSha256: null });
    });

    it('answers in-progress while another upload holds the session, even with the same bytes', async () => {
      const record = await created();
      await store.claimForUpload(record.id, SHA_A, at(1));

      await expect(store.claimForUpload(record.id, SHA_A, at(2))).resolves.toEqual({ outcome: 'in-progress' });
      await expect(store.claimForUpload(record.id, SHA_B, at(2))).resolves.toEqual({ outcome: 'in-progress' });
    });

    it('answers already-used for other bytes on a completed session', async () => {
      const record = await completed();

      await expect(store.claimForUpload(record.id, SHA_B, at(2_000))).resolves.toEqual({ outcome: 'already-used' });
    });

    it('answers already-used for other bytes on a failed session', async () => {
      const record = await failed();

      await expect(store.claimForUpload(record.id, SHA_B, at(2_000))).resolves.toEqual({ outcome: 'already-used' });
    });

    it('answers replay with the stored result for the same bytes on a completed session, even after expiresAt', async () => {
      const record = await completed();

      const claim = await store.claimForUpload(record.id, SHA_A, at(SESSION_TTL_MS + 1));

      expect(claim).toMatchObject({ outcome: 'replay', session: { id: record.id, status: 'completed', result: result(at(1_000)) } });
    });

    it('answers replay with the stored failure for the same bytes on a failed session, even after expiresAt', async () => {
      const record = await failed();

      const claim = await store.claimForUpload(record.id, SHA_A, at(SESSION_TTL_MS + 1));

      expect(claim).toMatchObject({
        outcome: 'replay',
        session: { id: record.id, status: 'failed', failure: { code: 'CONTAINER_INVALID', ozErrorCode: 14 } },
      });
    });

    it('lets exactly one of two simultaneous claims through', async () => {
      const record = await created();

      const claims = await Promise.all([store.claimForUpload(record.id, SHA_A, at(1)), store.claimForUpload(record.id, SHA_B, at(1))]);

      expect(claims.map((claim) => claim.outcome).sort()).toEqual(['claimed', 'in-progress']);
    });

    it('lets exactly one of many simultaneous claims with the same bytes through', async () => {
      const record = await created();

      const claims = await Promise.all(Array.from({ length: 20 }, () => store.claimForUpload(record.id, SHA_A, at(1))));

      expect(claims.filter((claim) => claim.outcome === 'claimed')).toHaveLength(1);
      expect(claims.filter((claim) => claim.outcome === 'in-progress')).toHaveLength(19);
    });
  });

  describe('release', () => {
    it('returns a processing session to open and forgets the container, so another upload can claim it', async () => {
      const record = await created();
      await store.claimForUpload(record.id, SHA_A, at(1));

      await store.release(record.id);

      await expect(store.get(record.id, at(2))).resolves.toMatchObject({ status: 'open', containerSha256: null });
      await expect(store.claimForUpload(record.id, SHA_B, at(3))).resolves.toEqual({ outcome: 'claimed' });
    });

    it('leaves a completed session completed', async () => {
      const record = await completed();

      await store.release(record.id);

      await expect(store.get(record.id, at(2_000))).resolves.toMatchObject({ status: 'completed', containerSha256: SHA_A });
    });
  });

  describe('complete and fail', () => {
    it('stores the result and the completed status', async () => {
      const record = await completed();

      await expect(store.get(record.id, at(2_000))).resolves.toMatchObject({ status: 'completed', result: result(at(1_000)), failure: null });
    });

    it('stores the failure and the failed status', async () => {
      const record = await failed();

      await expect(store.get(record.id, at(2_000))).resolves.toMatchObject({
        status: 'failed',
        result: null,
        failure: { code: 'CONTAINER_INVALID', detail: 'bad container', ozErrorCode: 14 },
      });
    });

    it('replaces the result after a biometry run', async () => {
      const record = await completed();
      const biometry: SessionResult = { ...result(at(1_000)), decision: 'rejected', reason: 'FACE_MISMATCH' };

      await store.updateResult(record.id, biometry);

      await expect(store.get(record.id, at(2_000))).resolves.toMatchObject({ result: biometry });
    });
  });

  describe('purge', () => {
    it('forgets a session at its purgeAt: get gives null and a claim is not-found, even for the same bytes', async () => {
      const record = await completed();
      const purgeAt = at(RESULT_TTL_SECONDS * 1000);

      await expect(store.get(record.id, at(RESULT_TTL_SECONDS * 1000 - 1))).resolves.not.toBeNull();
      await expect(store.get(record.id, purgeAt)).resolves.toBeNull();
      await expect(store.claimForUpload(record.id, SHA_A, purgeAt)).resolves.toEqual({ outcome: 'not-found' });
      await expect(store.getBestShot(record.id, purgeAt)).resolves.toEqual({ state: 'session-not-found' });
    });

    it('stays forgotten once purged, even when read with an earlier time', async () => {
      const record = await created();
      await store.get(record.id, at(RESULT_TTL_SECONDS * 1000));

      await expect(store.get(record.id, at(0))).resolves.toBeNull();
    });
  });

  describe('best shot', () => {
    it('holds the exact bytes until completedAt + BEST_SHOT_TTL_SECONDS and records until when', async () => {
      const completedAt = at(1_000);
      const heldUntil = new Date(completedAt.getTime() + BEST_SHOT_TTL_SECONDS * 1000);
      const record = await completed(BEST_SHOT, completedAt);

      const lookup = await store.getBestShot(record.id, new Date(heldUntil.getTime() - 1));

      expect(lookup).toEqual({ state: 'held', bytes: BEST_SHOT });
      await expect(store.get(record.id, completedAt)).resolves.toMatchObject({ bestShot: { returned: true, heldUntil } });
    });

    it('answers expired from completedAt + BEST_SHOT_TTL_SECONDS on, and never hands the bytes out again', async () => {
      const completedAt = at(1_000);
      const heldUntil = completedAt.getTime() + BEST_SHOT_TTL_SECONDS * 1000;
      const record = await completed(BEST_SHOT, completedAt);

      await expect(store.getBestShot(record.id, new Date(heldUntil))).resolves.toEqual({ state: 'expired' });
      // The bytes were dropped: reading with an earlier time does not bring them back.
      await expect(store.getBestShot(record.id, completedAt)).resolves.toEqual({ state: 'expired' });
    });

    it("answers 'none' when Oz gave no best shot", async () => {
      const record = await completed(null);

      await expect(store.getBestShot(record.id, at(2_000))).resolves.toEqual({ state: 'none' });
      await expect(store.get(record.id, at(2_000))).resolves.toMatchObject({ bestShot: { returned: false, heldUntil: null } });
    });

    it("answers 'none' for a session that was never analysed", async () => {
      const record = await created();

      await expect(store.getBestShot(record.id, at(1))).resolves.toEqual({ state: 'none' });
    });

    it('answers session-not-found for an unknown session', async () => {
      await expect(store.getBestShot(randomUUID(), T0)).resolves.toEqual({ state: 'session-not-found' });
    });
  });

  describe('capacity', () => {
    it('evicts the oldest session when MAX_SESSIONS is reached and keeps the rest', async () => {
      const base = session();
      const ids = Array.from({ length: MAX_SESSIONS + 1 }, (_, i) => `s-${i}`);
      // create() does its work before its first await, so the order of calls is the order of creation.
      await Promise.all(ids.map((id) => store.create({ ...base, id })));

      await expect(store.get(ids[0], at(1))).resolves.toBeNull();
      await expect(store.get(ids[1], at(1))).resolves.toMatchObject({ id: ids[1] });
      await expect(store.get(ids[MAX_SESSIONS], at(1))).resolves.toMatchObject({ id: ids[MAX_SESSIONS] });
    });

    it('keeps sessions with an upload or a result and evicts the oldest open one instead when full', async () => {
      const base = session();
      const ids = Array.from({ length: MAX_SESSIONS }, (_, i) => `s-${i}`);
      await Promise.all(ids.map((id) => store.create({ ...base, id })));
      await store.claimForUpload(ids[0], SHA_A, at(1));
      await store.claimForUpload(ids[1], SHA_A, at(1));
      await store.complete(ids[1], result(at(1)), null);

      await expect(store.create({ ...base, id: 'newcomer' })).resolves.toBe(true);

      await expect(store.get(ids[0], at(2))).resolves.toMatchObject({ status: 'processing' });
      await expect(store.get(ids[1], at(2))).resolves.toMatchObject({ status: 'completed' });
      await expect(store.get(ids[2], at(2))).resolves.toBeNull();
      await expect(store.get('newcomer', at(2))).resolves.toMatchObject({ id: 'newcomer' });
    });

    it('refuses a new session rather than drop results when every stored session must be kept', async () => {
      const base = session({ status: 'completed', containerSha256: SHA_A, result: result(at(0)) });
      const ids = Array.from({ length: MAX_SESSIONS }, (_, i) => `s-${i}`);
      await Promise.all(ids.map((id) => store.create({ ...base, id })));

      await expect(store.create(session({ id: 'newcomer' }))).resolves.toBe(false);

      await expect(store.get('newcomer', at(1))).resolves.toBeNull();
      await expect(store.get(ids[0], at(1))).resolves.toMatchObject({ status: 'completed' });
    });
  });

  it('reports itself healthy', async () => {
    await expect(store.isHealthy()).resolves.toBe(true);
  });
});
