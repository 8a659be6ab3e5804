import { randomUUID } from 'node:crypto';
import { PURGE_MS, SHA_A, type Subject, biometryResult, failure, result, steps } from './fixtures';

/** complete, fail and recordBiometry. */
export function describeResults(subject: () => Subject): void {
  describe('complete and fail', () => {
    it('stores the result and the completed status, and lets the lease go', async () => {
      const { store, at } = subject();
      const record = await steps(subject()).completed();

      await expect(store.get(record.id, at(2_000))).resolves.toMatchObject({
        status: 'completed',
        containerSha256: SHA_A,
        lease: null,
        result: result(at(1_000)),
        failure: null,
      });
    });

    it('stores the failure and the failed status, and lets the lease go', async () => {
      const { store, at } = subject();
      const record = await steps(subject()).failed();

      await expect(store.get(record.id, at(2_000))).resolves.toMatchObject({
        status: 'failed',
        containerSha256: SHA_A,
        lease: null,
        result: null,
        failure: { code: 'CONTAINER_INVALID', detail: 'bad container', ozErrorCode: 14, failedAt: at(1_000), eventId: 'event-3' },
        bestShot: { returned: false, heldUntil: null },
      });
    });

    it('answers false to a second complete or a fail after the session completed, and keeps the first result', async () => {
      const { store, at } = subject();
      const { record, claim } = await steps(subject()).claimed();
      await store.complete(record.id, claim.claimId, result(at(1_000)), null);

      await expect(store.complete(record.id, claim.claimId, biometryResult(at(1_500)), null)).resolves.toBeNull();
      await expect(store.fail(record.id, claim.claimId, failure(at(1_500)))).resolves.toBe(false);

      await expect(store.get(record.id, at(2_000))).resolves.toMatchObject({ status: 'completed', result: result(at(1_000)), failure: null });
    });
  });

  describe('recordBiometry', () => {
    it('replaces the result of a completed session after a face match, and keeps its status and container hash', async () => {
      const { store, at } = subject();
      const record = await steps(subject()).completed();

      await expect(store.recordBiometry(record.id, biometryResult(at(1_000)), at(2_000))).resolves.toBe(true);

      await expect(store.get(record.id, at(2_000))).resolves.toMatchObject({ status: 'completed', containerSha256: SHA_A, result: biometryResult(at(1_000)) });
    });

    it('answers false for an open, a processing and a failed session, and changes none of them', async () => {
      const { store, at } = subject();
      const open = await steps(subject()).created();
      const { record: processing } = await steps(subject()).claimed();
      const failed = await steps(subject()).failed();

      for (const record of [open, processing, failed]) {
        const before = await store.get(record.id, at(2_000));
        await expect(store.recordBiometry(record.id, biometryResult(at(1_000)), at(2_000))).resolves.toBe(false);
        await expect(store.get(record.id, at(2_000))).resolves.toEqual(before);
      }
    });

    it('answers false for an unknown session and for one purged at the given time', async () => {
      const { store, at } = subject();
      const record = await steps(subject()).completed();

      await expect(store.recordBiometry(randomUUID(), biometryResult(at(1_000)), at(2_000))).resolves.toBe(false);
      await expect(store.recordBiometry(record.id, biometryResult(at(1_000)), at(PURGE_MS))).resolves.toBe(false);
      await expect(store.get(record.id, at(0))).resolves.toBeNull();
    });
  });
}
