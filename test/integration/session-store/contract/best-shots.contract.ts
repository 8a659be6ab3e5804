import { randomUUID } from 'node:crypto';
import { BEST_SHOT, BEST_SHOT_TTL_SECONDS, type Subject, steps } from './fixtures';

/** Best shots: held BEST_SHOT_TTL_SECONDS after completion, then gone for good. */
export function describeBestShots(subject: () => Subject): void {
  describe('best shot', () => {
    it('holds the exact bytes until completedAt + BEST_SHOT_TTL_SECONDS and records until when', async () => {
      const { store, at } = subject();
      const completedAt = at(1_000);
      const heldUntil = new Date(completedAt.getTime() + BEST_SHOT_TTL_SECONDS * 1000);
      const record = await steps(subject()).completed(BEST_SHOT, completedAt);

      const lookup = await store.getBestShot(record.id, new Date(heldUntil.getTime() - 1));

      expect(lookup).toEqual({ state: 'held', bytes: BEST_SHOT });
      await expect(store.get(record.id, completedAt)).resolves.toMatchObject({ bestShot: { returned: true, heldUntil } });
    });

    it('answers expired from completedAt + BEST_SHOT_TTL_SECONDS on, and never hands the bytes out again', async () => {
      const { store, at } = subject();
      const completedAt = at(1_000);
      const heldUntil = completedAt.getTime() + BEST_SHOT_TTL_SECONDS * 1000;
      const record = await steps(subject()).completed(BEST_SHOT, completedAt);

      await expect(store.getBestShot(record.id, new Date(heldUntil))).resolves.toEqual({ state: 'expired' });
      // The bytes were dropped: reading with an earlier time does not bring them back.
      await expect(store.getBestShot(record.id, completedAt)).resolves.toEqual({ state: 'expired' });
      await expect(store.get(record.id, completedAt)).resolves.toMatchObject({ bestShot: { returned: true, heldUntil: new Date(heldUntil) } });
    });

    it('hands out a copy: changing the returned bytes changes nothing held', async () => {
      const { store, at } = subject();
      const record = await steps(subject()).completed();
      const first = await store.getBestShot(record.id, at(2_000));
      if (first.state !== 'held') throw new Error(`expected a held best shot, got ${first.state}`);

      first.bytes.fill(0);

      await expect(store.getBestShot(record.id, at(2_000))).resolves.toEqual({ state: 'held', bytes: BEST_SHOT });
    });

    it('holds the bytes as they were when complete was called, whatever the caller does with its buffer afterwards', async () => {
      const { store, at } = subject();
      const bytes = Buffer.from(BEST_SHOT);
      const record = await steps(subject()).completed(bytes);

      bytes.fill(0);

      await expect(store.getBestShot(record.id, at(2_000))).resolves.toEqual({ state: 'held', bytes: BEST_SHOT });
    });

    it("answers 'none' when Oz gave no best shot", async () => {
      const { store, at } = subject();
      const record = await steps(subject()).completed(null);

      await expect(store.getBestShot(record.id, at(2_000))).resolves.toEqual({ state: 'none' });
      await expect(store.get(record.id, at(2_000))).resolves.toMatchObject({ bestShot: { returned: false, heldUntil: null } });
    });

    it("answers 'none' for a session that was never analysed, and for a failed one", async () => {
      const { store, at } = subject();
      const open = await steps(subject()).created();
      const failed = await steps(subject()).failed();

      await expect(store.getBestShot(open.id, at(1))).resolves.toEqual({ state: 'none' });
      await expect(store.getBestShot(failed.id, at(2_000))).resolves.toEqual({ state: 'none' });
    });

    it('answers session-not-found for an unknown session', async () => {
      const { store, at } = subject();

      await expect(store.getBestShot(randomUUID(), at(0))).resolves.toEqual({ state: 'session-not-found' });
    });
  });
}
