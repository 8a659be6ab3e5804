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
  expiresAt: number;
}

/**
 * Fixed windows in memory, at most `maxKeys` of them. rate-limiter-flexible's own memory limiter
 * keeps a record and a timer for every key until its window ends, however many keys there are,
 * and the keys are the caller's: one client address per IPv6 /64, one `subjectId` per session,
 * kept for an hour. Here an expired window is dropped when a new one opens, and at `maxKeys` the
 * oldest window goes first: its key starts again with a full budget, which only a caller who
 * already has `maxKeys` other keys in the window can bring about.
 */
export class BoundedWindows {
  private readonly windows = new Map<string, Window>();
  private readonly order = new ArrivalQueue((key, expiresAt) => this.windows.get(key)?.expiresAt === expiresAt);

  constructor(
    private readonly maxKeys: number,
    private readonly onEvicted: () => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.windows.size;
  }

  /** Adds `points` to the key's window, or opens a window of `msDuration` with them. */
  add(key: string, points: number, msDuration: number, forceExpire: boolean): WindowState {
    const now = this.now();
    const window = this.windows.get(key);
    if (window && window.expiresAt > now && !forceExpire) {
      window.points += points;
      return { consumedPoints: window.points, msBeforeNext: window.expiresAt - now };
    }
    if (!window) this.makeRoom(now);
    const opened = { points, expiresAt: now + msDuration };
    this.windows.set(key, opened);
    this.order.push(key, opened.expiresAt, this.windows.size);
    return { consumedPoints: points, msBeforeNext: msDuration };
  }

  get(key: string): WindowState | null {
    const window = this.windows.get(key);
    const now = this.now();
    if (!window || window.expiresAt <= now) return null;
    return { consumedPoints: window.points, msBeforeNext: window.expiresAt - now };
  }

  delete(key: string): boolean {
    return this.windows.delete(key);
  }

  /**
   * Drops the windows that have ended, oldest first: they end in the order they opened, since a
   * limiter's windows all last as long. Then, if it is still full, the oldest open one.
   */
  private makeRoom(now: number): void {
    for (let key = this.order.oldest(); key !== undefined && this.windows.get(key)!.expiresAt <= now; key = this.order.oldest()) {
      this.windows.delete(key);
    }
    if (this.windows.size < this.maxKeys) return;
    const oldest = this.order.oldest();
    if (oldest === undefined) return;
    this.windows.delete(oldest);
    this.onEvicted();
  }
}

/** rate-limiter-flexible's fixed-window limiter on a {@link BoundedWindows} store. */
export class RateLimiterBoundedMemory extends RateLimiterStoreAbstract {
  private readonly store: BoundedWindows;

  constructor(options: { points: number; duration: number; keyPrefix: string; store: BoundedWindows }) {
    super({ points: options.points, duration: options.duration, keyPrefix: options.keyPrefix, storeClient: options.store });
    this.store = options.store;
  }

  // The store's side of rate-limiter-flexible's RateLimiterStoreAbstract (as its own stores do).
  protected _upsert(rlKey: string, points: number, msDuration: number, forceExpire = false): Promise<WindowState> {
    return Promise.resolve(this.store.add(rlKey, points, msDuration, forceExpire));
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
