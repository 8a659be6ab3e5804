import { randomUUID } from 'node:crypto';
import { LEASE_MS, NO_BEST_SHOT, SHA_A, SHA_B, type Subject, failure, lease, result, steps } from './fixtures';

/** Upload leases: a lease past its `until` is released; only the holder of the claim changes the session. */
export function describeLeases(subject: () => Subject): void {
  describe('leases', () => {
    it('answers in-progress until the lease’s until, and from then on lets another upload claim the session', async () => {
      const { store, at } = subject();
      const { record, claim } = await steps(subject()).claimed(SHA_A, at(500));
      const until = claim.until.getTime() - at(0).getTime();
      const next = lease(at(until + LEASE_MS));

      await expect(store.claimForUpload(record.id, SHA_B, at(until - 1), lease(at(until + LEASE_MS)))).resolves.toEqual({
        outcome: 'in-progress',
        leaseUntil: claim.until,
      });
      await expect(store.claimForUpload(record.id, SHA_B, at(until), next)).resolves.toEqual({ outcome: 'claimed', lease: next, captureMayBeUsed: true });
      await expect(store.get(record.id, at(until))).resolves.toMatchObject({
        status: 'processing',
        containerSha256: SHA_B,
        lease: next,
        captureMayBeUsed: true,
      });
    });

    it('shows a session whose lease ran out as open, without the lease or the container hash', async () => {
      const { store } = subject();
      const { record, claim } = await steps(subject()).claimed();

      await expect(store.get(record.id, new Date(claim.until.getTime() - 1))).resolves.toMatchObject({ status: 'processing', lease: claim });
      await expect(store.get(record.id, claim.until)).resolves.toMatchObject({ status: 'open', lease: null, containerSha256: null, captureMayBeUsed: true });
    });

    it('keeps the mark of a lease that ran out after the next upload fails again without reaching Oz (§18)', async () => {
      const { store } = subject();
      const { record, claim } = await steps(subject()).claimed();
      const next = lease(new Date(claim.until.getTime() + LEASE_MS));
      await store.claimForUpload(record.id, SHA_B, claim.until, next);

      await store.release(record.id, next.claimId, false);

      await expect(store.get(record.id, claim.until)).resolves.toMatchObject({ status: 'open', captureMayBeUsed: true });
    });

    it('answers false to complete and fail with a claim id whose lease was taken over, and keeps the new claim', async () => {
      const { store } = subject();
      const { record, claim: stale } = await steps(subject()).claimed();
      const current = lease(new Date(stale.until.getTime() + LEASE_MS));
      await store.claimForUpload(record.id, SHA_B, stale.until, current);

      await expect(store.complete(record.id, stale.claimId, result(stale.until), null)).resolves.toBeNull();
      await expect(store.fail(record.id, stale.claimId, failure(stale.until))).resolves.toBe(false);
      await store.release(record.id, stale.claimId, false);

      await expect(store.get(record.id, stale.until)).resolves.toMatchObject({
        status: 'processing',
        containerSha256: SHA_B,
        lease: current,
        result: null,
        failure: null,
      });
      await expect(store.complete(record.id, current.claimId, result(stale.until), null)).resolves.toEqual(NO_BEST_SHOT);
    });

    it('completes a session whose lease ran out when no other upload claimed it since', async () => {
      const { store, at } = subject();
      const { record, claim } = await steps(subject()).claimed();

      await expect(store.complete(record.id, claim.claimId, result(claim.until), null)).resolves.toEqual(NO_BEST_SHOT);

      await expect(store.get(record.id, at(LEASE_MS * 2))).resolves.toMatchObject({ status: 'completed', containerSha256: SHA_A, lease: null });
    });

    it('answers false to complete and fail on a session that nobody claimed, and leaves it open', async () => {
      const { store, at } = subject();
      const record = await steps(subject()).created();

      await expect(store.complete(record.id, randomUUID(), result(at(1)), null)).resolves.toBeNull();
      await expect(store.fail(record.id, randomUUID(), failure(at(1)))).resolves.toBe(false);

      await expect(store.get(record.id, at(1))).resolves.toMatchObject({ status: 'open', result: null, failure: null });
    });

    it('answers false to complete and fail on an unknown session and stores nothing', async () => {
      const { store, at } = subject();
      const id = randomUUID();

      await expect(store.complete(id, randomUUID(), result(at(1)), null)).resolves.toBeNull();
      await expect(store.fail(id, randomUUID(), failure(at(1)))).resolves.toBe(false);
      await store.release(id, randomUUID(), false);

      await expect(store.get(id, at(1))).resolves.toBeNull();
    });
  });

  describe('release', () => {
    it('returns a processing session to open and forgets the container, so another upload can claim it', async () => {
      const { store, at } = subject();
      const { record, claim } = await steps(subject()).claimed(SHA_A, at(1));

      await store.release(record.id, claim.claimId, false);

      await expect(store.get(record.id, at(2))).resolves.toMatchObject({ status: 'open', containerSha256: null, lease: null, captureMayBeUsed: false });
      const next = lease(at(3 + LEASE_MS));
      await expect(store.claimForUpload(record.id, SHA_B, at(3), next)).resolves.toEqual({ outcome: 'claimed', lease: next, captureMayBeUsed: false });
    });

    it('marks the session for good when the released call may have reached Oz (§18)', async () => {
      const { store, at } = subject();
      const { record, claim } = await steps(subject()).claimed(SHA_A, at(1));

      await store.release(record.id, claim.claimId, true);

      await expect(store.get(record.id, at(2))).resolves.toMatchObject({ status: 'open', captureMayBeUsed: true });
      const next = lease(at(3 + LEASE_MS));
      await expect(store.claimForUpload(record.id, SHA_B, at(3), next)).resolves.toEqual({ outcome: 'claimed', lease: next, captureMayBeUsed: true });
      await store.release(record.id, next.claimId, false);
      await expect(store.get(record.id, at(4))).resolves.toMatchObject({ status: 'open', captureMayBeUsed: true });
    });

    it('leaves a completed session completed', async () => {
      const { store, at } = subject();
      const { record, claim } = await steps(subject()).claimed();
      await store.complete(record.id, claim.claimId, result(at(1_000)), null);

      await store.release(record.id, claim.claimId, false);

      await expect(store.get(record.id, at(2_000))).resolves.toMatchObject({ status: 'completed', containerSha256: SHA_A });
    });

    it('leaves a failed session failed', async () => {
      const { store, at } = subject();
      const { record, claim } = await steps(subject()).claimed();
      await store.fail(record.id, claim.claimId, failure(at(1_000)));

      await store.release(record.id, claim.claimId, false);

      await expect(store.get(record.id, at(2_000))).resolves.toMatchObject({ status: 'failed', containerSha256: SHA_A });
    });

    it('leaves the session with its holder when the claim id is another one', async () => {
      const { store, at } = subject();
      const { record, claim } = await steps(subject()).claimed(SHA_A, at(1));

      await store.release(record.id, randomUUID(), false);

      await expect(store.get(record.id, at(2))).resolves.toMatchObject({ status: 'processing', containerSha256: SHA_A, lease: claim });
    });
  });
}
