import type { ReviewCursor, SessionRecord, SessionResult, SessionReview } from './session.types';

/** A result's review while it waits for a reviewer; null when it has none or it was decided. */
export function pendingReview(result: SessionResult | null): SessionReview | null {
  const review = result?.review ?? null;
  return review !== null && review.verdict === null ? review : null;
}

export interface QueueEntry {
  since: number;
  id: string;
}

/** Queue order: `since`, then the session id as bytes (as a Redis sorted set orders equal scores). */
function before(a: QueueEntry, b: QueueEntry): boolean {
  return a.since < b.since || (a.since === b.since && a.id < b.id);
}

/**
 * One replica's review queue: the pending sessions' ids kept sorted by (since, id) in an array,
 * found by binary search. Keyset paging (the page after a cursor, wherever that cursor's own entry
 * went) stays correct while entries are added and removed. Insertion and removal move the array's
 * tail (O(n)); a queue of people waiting for a reviewer stays small enough for that to be cheaper
 * than a balanced tree's bookkeeping.
 */
export class InMemoryReviewQueue {
  private readonly entries: QueueEntry[] = [];
  private readonly sinceOf = new Map<string, number>();

  get size(): number {
    return this.entries.length;
  }

  /** Follows a session as written: in the queue while its review is pending, out of it otherwise. */
  track(session: SessionRecord): void {
    const review = pendingReview(session.result);
    const current = this.sinceOf.get(session.id);
    if (review !== null && current === review.since.getTime()) return;
    this.remove(session.id);
    if (review === null) return;
    const entry = { since: review.since.getTime(), id: session.id };
    this.entries.splice(this.firstAfter(entry, true), 0, entry);
    this.sinceOf.set(session.id, entry.since);
  }

  remove(id: string): void {
    const since = this.sinceOf.get(id);
    if (since === undefined) return;
    this.entries.splice(this.firstAfter({ since, id }, true), 1);
    this.sinceOf.delete(id);
  }

  /** Up to `limit` entries after `cursor`, in queue order. */
  after(cursor: ReviewCursor | null, limit: number): QueueEntry[] {
    const start = cursor === null ? 0 : this.firstAfter({ since: cursor.since.getTime(), id: cursor.sessionId }, false);
    return this.entries.slice(start, start + limit);
  }

  /** Binary search: the index of the first entry after `key` (or, `inclusive`, at or after it). */
  private firstAfter(key: QueueEntry, inclusive: boolean): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const entry = this.entries[middle];
      const isBefore = inclusive ? before(entry, key) : !before(key, entry);
      if (isBefore) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
