import { performance } from 'node:perf_hooks';
import RateLimiterRes from 'rate-limiter-flexible/lib/RateLimiterRes';
import RateLimiterStoreAbstract from 'rate-limiter-flexible/lib/RateLimiterStoreAbstract';
import { ArrivalQueue } from '../common/arrival-queue';

/** What the store answers rate-limiter-flexible for one key: the points of its window and the time left. */
interface WindowState {
  consumedPoints: number;
  msBeforeNext: number;
}

interface Window {
  points: number;
  endsAt: number;
  /** Its place in the queue: a key that opens a new window is a new arrival. */
  stamp: number;
}

/**
 * Ended windows dropped, at most, each time a window opens: more than the one it adds, so that
 * they drain as fast as they come, and few enough that no request pays for a backlog at once.
 */
const DROP_ENDED_PER_OPENING = 8;

/**
 * Fixed windows of one length in memory, at most `maxKeys` of them. rate-limiter-flexible's own
 * memory limiter keeps a record and a timer for every key until its window ends, however many keys
 * there are, and the keys are the callers': one client address per IPv6 /64, one `subjectId` per
 * session, kept for an hour. Here ended windows are dropped as new ones open (oldest first: with
 * one length they end in the order they opened, on a monotonic clock), and at `maxKeys` the oldest
 * open window goes: its key starts again with a full budget. Only a caller who has `maxKeys` other
 * keys in one window can bring that about, and such a caller has as many budgets anyway.
 */
export class BoundedWindows {
  private readonly windows = new Map<string, Window>();
  private readonly order = new ArrivalQueue((key, stamp) => this.windows.get(key)?.stamp === stamp);
  private arrivals = 0;

  constructor(
    private readonly maxKeys: number,
    readonly windowMs: number,
    private readonly onDroppedEarly: () => void = () => undefined,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(maxKeys >= 1) || !(windowMs > 0)) throw new RangeError('a bounded window store needs maxKeys >= 1 and windowMs > 0');
  }

  get size(): number {
    return this.windows.size;
  }

  /** Adds `points` to the key's window, or opens one with them. Points given back (≤ 0) to a key without one are dropped. */
  add(key: string, points: number): WindowState {
    const now = this.now();
    const window = this.windows.get(key);
    if (window && window.endsAt > now) {
      window.points += points;
      return { consumedPoints: window.points, msBeforeNext: window.endsAt - now };
    }
    if (points <= 0) {
      if (window) this.windows.delete(key);
      return { consumedPoints: 0, msBeforeNext: 0 };
    }
    if (!window) this.makeRoom(now);
    const opened = { points, endsAt: now + this.windowMs, stamp: ++this.arrivals };
    this.windows.set(key, opened);
    this.order.push(key, opened.stamp, this.windows.size);
    return { consumedPoints: points, msBeforeNext: this.windowMs };
  }

  get(key: string): WindowState | null {
    const window = this.windows.get(key);
    const now = this.now();
    if (!window || window.endsAt <= now) return null;
    return { consumedPoints: window.points, msBeforeNext: window.endsAt - now };
  }

  delete(key: string): boolean {
    return this.windows.delete(key);
  }

  /** Room for one more window: some ended ones go, then, if it is still full, the oldest. */
  private makeRoom(now: number): void {
    for (let dropped = 0; dropped < DROP_ENDED_PER_OPENING; dropped++) {
      const oldest = this.order.oldest();
      if (oldest === undefined || this.windows.get(oldest)!.endsAt > now) break;
      this.windows.delete(oldest);
    }
    if (this.windows.size < this.maxKeys) return;
    const oldest = this.order.oldest()!;
    const open = this.windows.get(oldest)!.endsAt > now;
    this.windows.delete(oldest);
    if (open) this.onDroppedEarly();
  }
}

/**
 * rate-limiter-flexible's fixed-window limiter (RateLimiterStoreAbstract: points, rewards, the
 * RateLimiterRes it answers and refuses with) on a {@link BoundedWindows} store, for what
 * rate-limits.ts asks of it: consume, reward, get and delete. `block` and `set` (windows of
 * another length) are refused.
 */
export class RateLimiterBoundedMemory extends RateLimiterStoreAbstract {
  private readonly store: BoundedWindows;

  constructor(options: { points: number; keyPrefix: string; store: BoundedWindows }) {
    // storeClient only satisfies the base class, which insists on one; the store is ours.
    super({ points: options.points, duration: options.store.windowMs / 1000, keyPrefix: options.keyPrefix, storeClient: options.store });
    this.store = options.store;
  }

  // The store's side of RateLimiterStoreAbstract, as the library's own stores implement it.
  protected _upsert(rlKey: string, points: number, msDuration: number, forceExpire = false): Promise<WindowState> {
    if (forceExpire || msDuration !== this.store.windowMs) return Promise.reject(new Error('bounded in-memory windows all last the limiter’s duration'));
    return Promise.resolve(this.store.add(rlKey, points));
  }

  protected _get(rlKey: string): Promise<WindowState | null> {
    return Promise.resolve(this.store.get(rlKey));
  }

  protected _delete(rlKey: string): Promise<boolean> {
    return Promise.resolve(this.store.delete(rlKey));
  }

  protected _getRateLimiterRes(_rlKey: string, changedPoints: number, state: WindowState): RateLimiterRes {
    const { consumedPoints, msBeforeNext } = state;
    return new RateLimiterRes(Math.max(this.points - consumedPoints, 0), msBeforeNext, consumedPoints, consumedPoints === changedPoints);
  }
}
