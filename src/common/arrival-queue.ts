/**
 * Ids oldest first, for the questions about the oldest: the in-memory store's session to purge or
 * to evict next and best shot to let go next, the in-memory rate limits' window to drop next. A
 * Map or Set asked for its first entry walks over every entry deleted since V8 last rehashed its
 * table; used so at MAX_SESSIONS, that walk cost up to 80 µs for every session created
 * (bench/RESULTS.md). Here leaving costs nothing: an id that has left (`isIn` says so) is skipped
 * once, when it reaches the head, and the arrays are compacted when most of what they hold has
 * left, so every operation is O(1) amortized. Each arrival carries a stamp, so that an id that
 * leaves and comes back (a session released to `open` again, a key's new window) counts once, at
 * its latest place.
 */
export class ArrivalQueue {
  private ids: string[] = [];
  private stamps: number[] = [];
  private head = 0;

  constructor(private readonly isIn: (id: string, stamp: number) => boolean) {}

  /** `countIn`: how many ids are in once this one is, which bounds what the arrays may hold. */
  push(id: string, stamp: number, countIn: number): void {
    this.ids.push(id);
    this.stamps.push(stamp);
    if (this.ids.length >= COMPACT_AT && this.ids.length >= 2 * countIn) this.compact();
  }

  /** The oldest id still in, or undefined when none is. */
  oldest(): string | undefined {
    while (this.head < this.ids.length) {
      const id = this.ids[this.head];
      if (this.isIn(id, this.stamps[this.head])) return id;
      this.ids[this.head++] = ''; // what has left is not kept alive until the next compaction
    }
    return undefined;
  }

  private compact(): void {
    const ids: string[] = [];
    const stamps: number[] = [];
    for (let i = this.head; i < this.ids.length; i++) {
      if (!this.isIn(this.ids[i], this.stamps[i])) continue;
      ids.push(this.ids[i]);
      stamps.push(this.stamps[i]);
    }
    this.ids = ids;
    this.stamps = stamps;
    this.head = 0;
  }
}

/** Below this the arrays are left as they are: compacting a few hundred ids saves nothing. */
const COMPACT_AT = 1024;
