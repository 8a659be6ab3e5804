import { randomUUID } from 'node:crypto';
import { LEASE_MS, SESSION_TTL_MS, SHA_A, SHA_B, type Subject, failure, lease, result, steps } from './fixtures';

/** claimForUpload: its outcomes in the port's precedence, replays, and races. */
export function describeClaims(subject: () => Subject): void {
  describe('claimForUpload', () => {
    it('claims an open session before its expiry and marks it processing with the container hash and the lease', async () => {
      const { store, at } = subject();
      const record = await steps(subject()).created();
      const claim = lease(at(SESSION_TTL_MS + LEASE_MS));

      await expect(store.claimForUpload(record.id, SHA_A, at(SESSION_TTL_MS - 1), claim)).resolves.toEqual({
        outcome: 'claimed',
        lease: claim,
        captureMayBeUsed: false,
      });

      await expect(store.get(record.id, at(SESSION_TTL_MS - 1))).resolves.toMatchObject({ status: 'processing', containerSha256: SHA_A, lease: claim });
    });

    it('answers not-found for an unknown session', async () => {
      const { store, at } = subject();

      await expect(store.claimForUpload(randomUUID(), SHA_A, at(0), lease(at(LEASE_MS)))).resolves.toEqual({ outcome: 'not-found' });
    });

    it('answers expired for an open session at or after its expiresAt, and leaves it open', async () => {
      const { store, at } = subject();
      const record = await steps(subject()).created();

      await expect(store.claimForUpload(record.id, SHA_A, at(SESSION_TTL_MS), lease(at(SESSION_TTL_MS + LEASE_MS)))).resolves.toEqual({ outcome: 'expired' });
      await expect(store.claimForUpload(record.id, SHA_A, at(SESSION_TTL_MS + 60_000), lease(at(SESSION_TTL_MS + 2 * LEASE_MS)))).resolves.toEqual({
        outcome: 'expired',
      });
      await expect(store.get(record.id, at(SESSION_TTL_MS))).resolves.toMatchObject({ status: 'open', containerSha256: null, lease: null });
    });

    it('answers expired before in-progress for a session still held by a live lease after its expiresAt', async () => {
      const { store, at } = subject();
      const record = await steps(subject()).created();
      const held = lease(at(SESSION_TTL_MS + LEASE_MS));
      await store.claimForUpload(record.id, SHA_A, at(SESSION_TTL_MS - 1), held);

      await expect(store.claimForUpload(record.id, SHA_B, at(SESSION_TTL_MS), lease(at(SESSION_TTL_MS + 2 * LEASE_MS)))).resolves.toEqual({
        outcome: 'expired',
      });
      await expect(store.get(record.id, at(SESSION_TTL_MS))).resolves.toMatchObject({ status: 'processing', containerSha256: SHA_A, lease: held });
    });

    it('answers in-progress, with the end of the holder’s lease, while another upload holds the session, even with the same bytes', async () => {
      const { store, at } = subject();
      const { record, claim } = await steps(subject()).claimed(SHA_A, at(1));

      await expect(store.claimForUpload(record.id, SHA_A, at(2), lease(at(2 + LEASE_MS)))).resolves.toEqual({
        outcome: 'in-progress',
        leaseUntil: claim.until,
      });
      await expect(store.claimForUpload(record.id, SHA_B, at(2), lease(at(2 + LEASE_MS)))).resolves.toEqual({
        outcome: 'in-progress',
        leaseUntil: claim.until,
      });
      await expect(store.get(record.id, at(2))).resolves.toMatchObject({ status: 'processing', containerSha256: SHA_A, lease: claim });
    });

    it('answers already-used for other bytes on a completed session', async () => {
      const { store, at } = subject();
      const record = await steps(subject()).completed();

      await expect(store.claimForUpload(record.id, SHA_B, at(2_000), lease(at(9_000)))).resolves.toEqual({ outcome: 'already-used' });
    });

    it('answers already-used for other bytes on a failed session', async () => {
      const { store, at } = subject();
      const record = await steps(subject()).failed();

      await expect(store.claimForUpload(record.id, SHA_B, at(2_000), lease(at(9_000)))).resolves.toEqual({ outcome: 'already-used' });
    });

    it('answers replay with the stored result for the same bytes on a completed session, even after expiresAt', async () => {
      const { store, at } = subject();
      const record = await steps(subject()).completed();

      const claim = await store.claimForUpload(record.id, SHA_A, at(SESSION_TTL_MS + 1), lease(at(SESSION_TTL_MS + LEASE_MS)));

      expect(claim).toEqual({ outcome: 'replay', session: await store.get(record.id, at(SESSION_TTL_MS + 1)) });
      expect(claim).toMatchObject({ outcome: 'replay', session: { id: record.id, status: 'completed', containerSha256: SHA_A, result: result(at(1_000)) } });
    });

    it('answers replay with the stored failure for the same bytes on a failed session, even after expiresAt', async () => {
      const { store, at } = subject();
      const record = await steps(subject()).failed();

      const claim = await store.claimForUpload(record.id, SHA_A, at(SESSION_TTL_MS + 1), lease(at(SESSION_TTL_MS + LEASE_MS)));

      expect(claim).toEqual({ outcome: 'replay', session: await store.get(record.id, at(SESSION_TTL_MS + 1)) });
      expect(claim).toMatchObject({ outcome: 'replay', session: { id: record.id, status: 'failed', result: null, failure: failure(at(1_000)) } });
    });

    it('leaves a completed or failed session as it was after a replay or an already-used answer', async () => {
      const { store, at } = subject();
      const record = await steps(subject()).completed();
      const before = await store.get(record.id, at(2_000));

      await store.claimForUpload(record.id, SHA_A, at(2_000), lease(at(9_000)));
      await store.claimForUpload(record.id, SHA_B, at(2_000), lease(at(9_000)));

      await expect(store.get(record.id, at(2_000))).resolves.toEqual(before);
    });

    it('lets exactly one of two simultaneous claims through', async () => {
      const { store, at } = subject();
      const record = await steps(subject()).created();

      const claims = await Promise.all([SHA_A, SHA_B].map((sha) => store.claimForUpload(record.id, sha, at(1), lease(at(LEASE_MS)))));

      expect(claims.map((claim) => claim.outcome).sort()).toEqual(['claimed', 'in-progress']);
    });

    it('lets exactly one of many simultaneous claims with the same bytes through, and keeps the winner’s lease', async () => {
      const { store, at } = subject();
      const record = await steps(subject()).created();
      const leases = Array.from({ length: 20 }, () => lease(at(LEASE_MS)));

      const claims = await Promise.all(leases.map((each) => store.claimForUpload(record.id, SHA_A, at(1), each)));

      const winners = claims.filter((claim) => claim.outcome === 'claimed');
      expect(winners).toHaveLength(1);
      expect(claims.filter((claim) => claim.outcome === 'in-progress')).toHaveLength(19);
      await expect(store.get(record.id, at(2))).resolves.toMatchObject({ status: 'processing', lease: winners[0].outcome === 'claimed' && winners[0].lease });
    });
  });
}
