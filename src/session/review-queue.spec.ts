import fc from 'fast-check';
import { InMemoryReviewQueue } from './review-queue';
import type { SessionRecord } from './session.types';

/** Just what the queue reads of a session: its id and, while pending, the review's since. */
function session(id: string, since: number | null): SessionRecord {
  const review = since === null ? null : { since: new Date(since), reason: 'REVIEW_REQUIRED' as const, verdict: null };
  return { id, result: { review } } as unknown as SessionRecord;
}

const IDS = ['a', 'b', 'c', 'd', 'e', 'f'];
/** Few ids and few instants, so that ties and re-entries happen often. */
const operation = fc.record({ id: fc.constantFrom(...IDS), since: fc.option(fc.integer({ min: 0, max: 4 }), { nil: null }), drop: fc.boolean() });

describe('InMemoryReviewQueue', () => {
  it('pages exactly like a sorted list of the pending sessions, after any cursor, whatever was tracked and dropped', () => {
    fc.assert(
      fc.property(
        fc.array(operation, { maxLength: 40 }),
        fc.integer({ min: 0, max: 5 }),
        fc.constantFrom('', ...IDS),
        fc.integer({ min: 1, max: 7 }),
        (ops, cursorSince, cursorId, limit) => {
          const queue = new InMemoryReviewQueue();
          const model = new Map<string, number>();
          for (const { id, since, drop } of ops) {
            if (drop) {
              queue.remove(id);
              model.delete(id);
            } else {
              queue.track(session(id, since));
              if (since === null) model.delete(id);
              else model.set(id, since);
            }
          }
          const sorted = [...model].map(([id, since]) => ({ since, id })).sort((x, y) => x.since - y.since || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
          const after = sorted.filter((entry) => entry.since > cursorSince || (entry.since === cursorSince && entry.id > cursorId));

          expect(queue.size).toBe(sorted.length);
          expect(queue.after(null, limit)).toEqual(sorted.slice(0, limit));
          expect(queue.after({ since: new Date(cursorSince), sessionId: cursorId }, limit)).toEqual(after.slice(0, limit));
        },
      ),
    );
  });
});
