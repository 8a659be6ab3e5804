import { randomUUID } from 'node:crypto';
import { types } from 'node:util';
import {
  BEST_SHOT,
  BEST_SHOT_TTL_SECONDS,
  LEASE_MS,
  PURGE_MS,
  SHA_A,
  type Subject,
  biometryResult,
  failure,
  lease,
  result,
  sessionAt,
  steps,
} from './fixtures';

/** create, get, copies, purge, room and health. */
export function describeRecords(subject: () => Subject): void {
  describe('create and get', () => {
    it('gives back the record it stored, with its instants as Dates', async () => {
      const { store, at } = subject();
      const record = sessionAt(at(0), { subjectId: 'person-42' });

      await expect(store.create(record)).resolves.toEqual({ available: true });

      const stored = await store.get(record.id, at(1));
      expect(stored).toEqual(record);
      // util.types.isDate, not instanceof: structuredClone makes its Dates in Node's realm, not Jest's.
      expect([stored?.createdAt, stored?.expiresAt, stored?.purgeAt].map((value) => types.isDate(value))).toEqual([true, true, true]);
    });

    it('keeps whether the subject was vouched for (docs/api.md §14), through a claim and a completion', async () => {
      const { store, at } = subject();
      const vouched = sessionAt(at(0), { subjectId: 'person-43', subjectVerified: true });
      await store.create(vouched);
      const held = lease(at(LEASE_MS));
      await store.claimForUpload(vouched.id, SHA_A, at(1), held);
      await store.complete(vouched.id, held.claimId, result(at(2)), null);

      await expect(store.get(vouched.id, at(3))).resolves.toMatchObject({ subjectId: 'person-43', subjectVerified: true, status: 'completed' });
    });

    it('gives back the instants of a result, a face match, a lease and a failure as Dates', async () => {
      const { store, at } = subject();
      const completed = await steps(subject()).completed();
      await store.recordBiometry(completed.id, biometryResult(at(1_000)), at(2_000));
      const { record: processing } = await steps(subject()).claimed();
      const failed = await steps(subject()).failed();

      const [a, b, c] = await Promise.all([completed, processing, failed].map((record) => store.get(record.id, at(2_000))));

      const instants = [a?.result?.completedAt, a?.result?.biometry?.completedAt, a?.bestShot.heldUntil, b?.lease?.until, c?.failure?.failedAt];
      expect(instants.map((value) => types.isDate(value))).toEqual([true, true, true, true, true]);
      expect(a?.result).toEqual(biometryResult(at(1_000)));
    });

    it('answers null for an unknown session', async () => {
      const { store, at } = subject();

      await expect(store.get(randomUUID(), at(0))).resolves.toBeNull();
    });

    it('refuses a second session under the same id and keeps the first one as it was', async () => {
      const { store, at } = subject();
      const record = await steps(subject()).created({ subjectId: 'first' });

      await expect(store.create({ ...record, subjectId: 'second' })).rejects.toThrow('already stored');

      await expect(store.get(record.id, at(1))).resolves.toMatchObject({ subjectId: 'first' });
    });

    it('has room for a new session when it is nearly empty', async () => {
      const { store } = subject();

      await expect(store.room()).resolves.toEqual({ available: true });
    });

    it('reports itself healthy while it answers', async () => {
      const { store } = subject();

      await expect(store.isHealthy()).resolves.toBe(true);
    });
  });

  describe('copies', () => {
    it('keeps what it stored when the record passed to create is changed afterwards', async () => {
      const { store, at } = subject();
      const record = sessionAt(at(0));
      await store.create(record);

      record.subjectId = 'changed';
      record.expiresAt.setTime(0);

      await expect(store.get(record.id, at(1))).resolves.toMatchObject({ subjectId: null, expiresAt: sessionAt(at(0)).expiresAt });
    });

    it('keeps what it stored when a record it returned is changed', async () => {
      const { store, at } = subject();
      const record = await steps(subject()).completed();
      const first = (await store.get(record.id, at(2_000)))!;

      first.status = 'open';
      first.result!.checks.push({ type: 'biometry', resolution: 'SUCCESS', similarity: 1, errorCode: null, errorMessage: null });
      first.result!.completedAt.setTime(0);

      await expect(store.get(record.id, at(2_000))).resolves.toMatchObject({ status: 'completed', result: result(at(1_000)) });
    });

    it('keeps what it stored when the result, failure or lease passed to it are changed afterwards', async () => {
      const { store, at } = subject();
      const { record: completed, claim: completedClaim } = await steps(subject()).claimed();
      const { record: failed, claim: failedClaim } = await steps(subject()).claimed();
      const given = result(at(1_000));
      const refusal = failure(at(1_000));
      await store.complete(completed.id, completedClaim.claimId, given, null);
      await store.fail(failed.id, failedClaim.claimId, refusal);
      const open = await steps(subject()).created();
      const claim = lease(at(LEASE_MS));
      await store.claimForUpload(open.id, SHA_A, at(1), claim);
      const claimed = { claimId: claim.claimId, until: at(LEASE_MS) };

      given.completedAt.setTime(0);
      given.checks.push({ type: 'biometry', resolution: 'SUCCESS', similarity: 1, errorCode: null, errorMessage: null });
      refusal.failedAt.setTime(0);
      claim.until.setTime(at(2).getTime());

      await expect(store.get(completed.id, at(2_000))).resolves.toMatchObject({ result: result(at(1_000)) });
      await expect(store.get(failed.id, at(2_000))).resolves.toMatchObject({ failure: failure(at(1_000)) });
      await expect(store.get(open.id, at(3))).resolves.toMatchObject({ status: 'processing', lease: claimed });
    });

    it('keeps the best shot’s hold when the hold complete() answered is changed', async () => {
      const { store, at } = subject();
      const { record, claim } = await steps(subject()).claimed();
      const hold = await store.complete(record.id, claim.claimId, result(at(1_000)), BEST_SHOT);

      hold!.heldUntil!.setTime(0);

      const heldUntil = at(1_000 + BEST_SHOT_TTL_SECONDS * 1000);
      await expect(store.get(record.id, at(2_000))).resolves.toMatchObject({ bestShot: { returned: true, heldUntil } });
      await expect(store.getBestShot(record.id, at(2_000))).resolves.toEqual({ state: 'held', bytes: BEST_SHOT });
    });

    it('gives back text outside ASCII as it was stored', async () => {
      const { store, at } = subject();
      const text = 'Zoë \u{1F600} "quoted" \\ back\u2028slash \u{10FFFF}';
      const record = sessionAt(at(0), { subjectId: text });
      await store.create(record);
      const claim = lease(at(LEASE_MS));
      await store.claimForUpload(record.id, SHA_A, at(1), claim);
      await store.fail(record.id, claim.claimId, { ...failure(at(2)), detail: text });

      await expect(store.get(record.id, at(3))).resolves.toMatchObject({ subjectId: text, failure: { detail: text } });
    });

    it('returns a replayed session as a copy too', async () => {
      const { store, at } = subject();
      const record = await steps(subject()).completed();
      const claim = await store.claimForUpload(record.id, SHA_A, at(2_000), { claimId: randomUUID(), until: at(9_000) });
      if (claim.outcome !== 'replay') throw new Error(`expected a replay, got ${claim.outcome}`);

      claim.session.result!.decision = 'rejected';

      await expect(store.get(record.id, at(2_000))).resolves.toMatchObject({ result: { decision: 'accepted' } });
    });
  });

  describe('purge', () => {
    it('forgets a session at its purgeAt: get gives null and a claim is not-found, even for the same bytes', async () => {
      const { store, at } = subject();
      const record = await steps(subject()).completed();

      await expect(store.get(record.id, at(PURGE_MS - 1))).resolves.not.toBeNull();
      await expect(store.get(record.id, at(PURGE_MS))).resolves.toBeNull();
      await expect(store.claimForUpload(record.id, SHA_A, at(PURGE_MS), { claimId: randomUUID(), until: at(PURGE_MS + 1) })).resolves.toEqual({
        outcome: 'not-found',
      });
      await expect(store.getBestShot(record.id, at(PURGE_MS))).resolves.toEqual({ state: 'session-not-found' });
    });

    it('stays forgotten once purged, even when read with an earlier time', async () => {
      const { store, at } = subject();
      const record = await steps(subject()).created();
      await store.get(record.id, at(PURGE_MS));

      await expect(store.get(record.id, at(0))).resolves.toBeNull();
    });

    it('forgets a session that a claim found purged, even when read with an earlier time', async () => {
      const { store, at } = subject();
      const record = await steps(subject()).created();
      await store.claimForUpload(record.id, SHA_A, at(PURGE_MS), { claimId: randomUUID(), until: at(PURGE_MS + 1) });

      await expect(store.get(record.id, at(0))).resolves.toBeNull();
    });
  });
}
