import { randomInt, randomUUID } from 'node:crypto';
import type { SessionStore } from '../../../../src/session/session.store';
import type { ReviewCursor, SessionRecord, SessionResult } from '../../../../src/session/session.types';
import { PURGE_MS, type Subject, biometryResult, steps, underReview } from './fixtures';

/**
 * The review queue (docs/api.md §15). The Redis stores of one suite share one queue, so each test
 * puts its reviews at a `since` of its own (days before T0, at a random point), where no other
 * test's are, and pages from just before them.
 */
export function describeReviews(subject: () => Subject): void {
  function reviewed(pending: SessionResult, decidedAt: Date): SessionResult {
    const verdict = { decision: 'rejected' as const, reviewer: 'anna', note: 'a mask', decidedAt, eventId: 'event-review' };
    return { ...pending, decision: 'rejected', reason: 'REVIEW_REJECTED', receipt: `receipt-${randomUUID()}`, review: { ...pending.review!, verdict } };
  }

  /** A session completed with a result under review since `since`. */
  async function pendingSession(since: Date): Promise<{ record: SessionRecord; pending: SessionResult }> {
    const { store, at } = subject();
    const { record: created, claim } = await steps(subject()).claimed();
    const pending = underReview(at(1_000), since);
    await expect(store.complete(created.id, claim.claimId, pending, null)).resolves.toEqual({ returned: false, heldUntil: null });
    return { record: created, pending };
  }

  /** Every page from `start` on, `limit` at a time, while the entries are before `end`: the ids in the order given. */
  async function walk(
    store: SessionStore,
    start: ReviewCursor,
    end: Date,
    limit: number,
    now: Date,
    between?: (page: number) => Promise<void>,
  ): Promise<string[][]> {
    const pages: string[][] = [];
    let cursor = start;
    for (;;) {
      const page = (await store.pendingReviews(cursor, limit, now)).filter((session) => session.result!.review!.since < end);
      if (page.length === 0) return pages;
      pages.push(page.map((session) => session.id));
      const last = page[page.length - 1];
      cursor = { since: last.result!.review!.since, sessionId: last.id };
      await between?.(pages.length);
    }
  }

  /** A `since` of this test's own, days before T0. */
  const ownSince = (at: Subject['at']) => at(-randomInt(86_400_000, 20 * 86_400_000));
  const justBefore = (since: Date): ReviewCursor => ({ since: new Date(since.getTime() - 1), sessionId: '' });

  describe('reviews', () => {
    it('keeps a result whose review is pending with the session, and lists it in the queue', async () => {
      const { store, at } = subject();
      const since = ownSince(at);
      const before = await store.countPendingReviews(at(2_000));
      const { record, pending } = await pendingSession(since);

      await expect(store.get(record.id, at(2_000))).resolves.toMatchObject({ status: 'completed', result: pending });
      await expect(store.pendingReviews(justBefore(since), 1, at(2_000))).resolves.toMatchObject([{ id: record.id, result: pending }]);
      await expect(store.countPendingReviews(at(2_000))).resolves.toBe(before + 1);
    });

    it('records a reviewer’s decision while the receipt is the one read, and the session leaves the queue', async () => {
      const { store, at } = subject();
      const since = ownSince(at);
      const { record, pending } = await pendingSession(since);
      const before = await store.countPendingReviews(at(2_000));
      const decided = reviewed(pending, at(3_000));

      await expect(store.recordReview(record.id, pending.receipt, decided, at(3_000))).resolves.toBe('recorded');

      await expect(store.get(record.id, at(3_000))).resolves.toMatchObject({ status: 'completed', result: decided });
      await expect(walk(store, justBefore(since), new Date(since.getTime() + 1), 5, at(3_000))).resolves.toEqual([]);
      await expect(store.countPendingReviews(at(3_000))).resolves.toBe(before - 1);
    });

    it('records one of two reviews of the same result at once and answers changed to the other', async () => {
      const { store, at } = subject();
      const { record, pending } = await pendingSession(ownSince(at));
      const first = reviewed(pending, at(3_000));
      const second = reviewed(pending, at(3_000));

      const outcomes = await Promise.all([
        store.recordReview(record.id, pending.receipt, first, at(3_000)),
        store.recordReview(record.id, pending.receipt, second, at(3_000)),
      ]);

      expect([...outcomes].sort()).toEqual(['changed', 'recorded']);
      const kept = outcomes[0] === 'recorded' ? first : second;
      await expect(store.get(record.id, at(3_000))).resolves.toMatchObject({ result: { receipt: kept.receipt } });
    });

    it('answers not-found to a review of an unknown, an open or a purged session', async () => {
      const { store, at } = subject();
      const open = await steps(subject()).created();
      const { record, pending } = await pendingSession(ownSince(at));

      await expect(store.recordReview(randomUUID(), pending.receipt, reviewed(pending, at(3_000)), at(3_000))).resolves.toBe('not-found');
      await expect(store.recordReview(open.id, pending.receipt, reviewed(pending, at(3_000)), at(3_000))).resolves.toBe('not-found');
      await expect(store.recordReview(record.id, pending.receipt, reviewed(pending, at(PURGE_MS)), at(PURGE_MS))).resolves.toBe('not-found');
    });

    it('ends a pending review when a face match that needs none replaces the result', async () => {
      const { store, at } = subject();
      const since = ownSince(at);
      const { record } = await pendingSession(since);

      await expect(store.recordBiometry(record.id, biometryResult(at(1_000)), at(2_000))).resolves.toBe(true);

      await expect(store.get(record.id, at(2_000))).resolves.toMatchObject({ result: { review: null } });
      await expect(walk(store, justBefore(since), new Date(since.getTime() + 1), 5, at(2_000))).resolves.toEqual([]);
    });

    it('drops a pending review and its queue entry with its session at purgeAt', async () => {
      const { store, at } = subject();
      const since = ownSince(at);
      const { record } = await pendingSession(since);
      // Every session of the suite is purged by then: this one's entry is the only one that can make the difference.
      const justBeforePurge = at(PURGE_MS - 1);
      const withIt = await store.countPendingReviews(justBeforePurge);

      await expect(store.countPendingReviews(at(PURGE_MS))).resolves.toBeLessThan(withIt);
      await expect(store.pendingReviews(justBefore(since), 1, at(PURGE_MS))).resolves.not.toMatchObject([{ id: record.id }]);
      await expect(store.get(record.id, at(PURGE_MS))).resolves.toBeNull();
    });

    it('pages oldest first, then by session id, and neither skips nor repeats while reviews come and go', async () => {
      const { store, at } = subject();
      const base = ownSince(at);
      const since = (ms: number) => new Date(base.getTime() + ms);
      const sessions: { record: SessionRecord; pending: SessionResult }[] = [];
      // Entered out of order; two share one instant.
      for (const offset of [40, 10, 20, 20, 30]) sessions.push(await pendingSession(since(offset)));
      const [e, a, tie1, tie2, d] = sessions;
      const [b, c] = [tie1, tie2].sort((x, y) => (x.record.id < y.record.id ? -1 : 1));
      let late: { record: SessionRecord; pending: SessionResult } | undefined;

      const pages = await walk(store, justBefore(since(0)), since(100), 2, at(2_000), async (page) => {
        if (page !== 1) return;
        // After the first page (a, b): b, the cursor's own entry, is decided; one enters before the cursor, one after everything.
        await expect(store.recordReview(b.record.id, b.pending.receipt, reviewed(b.pending, at(3_000)), at(3_000))).resolves.toBe('recorded');
        await pendingSession(since(5));
        late = await pendingSession(since(50));
      });

      expect(pages).toEqual([
        [a.record.id, b.record.id],
        [c.record.id, d.record.id],
        [e.record.id, late!.record.id],
      ]);
    });
  });
}
