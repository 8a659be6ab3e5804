import RateLimiterRes from 'rate-limiter-flexible/lib/RateLimiterRes';
import { BoundedWindows, RateLimiterBoundedMemory } from './bounded-memory-limiter';

/** A limiter of `points` per `duration` seconds over at most `maxKeys` windows, on a clock the test moves. */
function limiterOf(points: number, duration: number, maxKeys: number) {
  let now = 1_000_000;
  let dropped = 0;
  const store = new BoundedWindows(
    maxKeys,
    duration * 1000,
    () => dropped++,
    () => now,
  );
  const limiter = new RateLimiterBoundedMemory({ points, keyPrefix: 'test', store });
  return {
    limiter,
    store,
    dropped: () => dropped,
    advance: (ms: number) => void (now += ms),
  };
}

/** What a consume answers: the result, or the refusal rate-limiter-flexible rejects with. */
async function consume(limiter: RateLimiterBoundedMemory, key: string): Promise<{ refused: boolean; remaining: number; msBeforeNext: number }> {
  try {
    const res = await limiter.consume(key, 1);
    return { refused: false, remaining: res.remainingPoints, msBeforeNext: res.msBeforeNext };
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
    return { refused: true, remaining: error.remainingPoints, msBeforeNext: error.msBeforeNext };
  }
}

describe('RateLimiterBoundedMemory', () => {
  it('admits `points` per window and refuses the next with the time left, as rate-limiter-flexible does', async () => {
    const { limiter, advance } = limiterOf(3, 60, 10);

    const answers = [];
    for (let i = 0; i < 4; i++) {
      answers.push(await consume(limiter, 'a'));
      advance(1_000);
    }

    expect(answers).toEqual([
      { refused: false, remaining: 2, msBeforeNext: 60_000 },
      { refused: false, remaining: 1, msBeforeNext: 59_000 },
      { refused: false, remaining: 0, msBeforeNext: 58_000 },
      { refused: true, remaining: 0, msBeforeNext: 57_000 },
    ]);
    expect(await consume(limiter, 'b')).toEqual({ refused: false, remaining: 2, msBeforeNext: 60_000 });
  });

  it('gives a reward back to the window, and starts a new window once the old one has ended', async () => {
    const { limiter, advance } = limiterOf(2, 60, 10);
    await consume(limiter, 'a');
    await consume(limiter, 'a');
    expect((await consume(limiter, 'a')).refused).toBe(true);

    await limiter.reward('a', 2);
    expect(await consume(limiter, 'a')).toEqual({ refused: false, remaining: 0, msBeforeNext: 60_000 });

    advance(60_000);
    expect(await limiter.get('a')).toBeNull();
    expect(await consume(limiter, 'a')).toEqual({ refused: false, remaining: 1, msBeforeNext: 60_000 });
    expect((await limiter.get('a'))?.consumedPoints).toBe(1);
    expect(await limiter.delete('a')).toBe(true);
    expect(await limiter.get('a')).toBeNull();
  });

  it('holds at most `maxKeys` windows: the oldest open one goes first, and its key starts again with a full budget', async () => {
    const { limiter, store, dropped, advance } = limiterOf(1, 3600, 3);
    for (const key of ['a', 'b', 'c']) {
      await consume(limiter, key);
      advance(1_000);
    }
    expect((await consume(limiter, 'a')).refused).toBe(true);

    expect((await consume(limiter, 'd')).refused).toBe(false);

    expect(store.size).toBe(3);
    expect(dropped()).toBe(1);
    expect(await limiter.get('a')).toBeNull();
    expect((await consume(limiter, 'b')).refused).toBe(true);
    expect((await consume(limiter, 'a')).refused).toBe(false);
    expect(dropped()).toBe(2);
    expect(await limiter.get('b')).toBeNull();
  });

  it('makes room from windows that have ended before it drops an open one', async () => {
    const { limiter, store, dropped, advance } = limiterOf(1, 60, 3);
    await consume(limiter, 'a');
    await consume(limiter, 'b');
    advance(30_000);
    await consume(limiter, 'c');
    advance(30_000);

    expect((await consume(limiter, 'd')).refused).toBe(false);
    expect((await consume(limiter, 'e')).refused).toBe(false);

    expect(dropped()).toBe(0);
    expect(store.size).toBe(3);
    expect((await consume(limiter, 'c')).refused).toBe(true);
  });

  it('drops ended windows, several at a time, before it drops an open one', async () => {
    const { limiter, store, dropped, advance } = limiterOf(1, 60, 10);
    for (const key of ['a', 'b', 'c', 'd', 'e']) await consume(limiter, key);
    advance(60_000);

    await consume(limiter, 'f');

    expect(store.size).toBe(1);
    expect(dropped()).toBe(0);
  });

  it('knows a key that opened a new window by its latest place: the older open window goes first', async () => {
    const { limiter, dropped, advance } = limiterOf(1, 60, 2);
    await consume(limiter, 'a');
    advance(30_000);
    await consume(limiter, 'b');
    advance(30_000);
    expect((await consume(limiter, 'a')).refused).toBe(false); // its first window has ended: a new one, after b's

    advance(10_000);
    await consume(limiter, 'c');

    expect(dropped()).toBe(1);
    expect(await limiter.get('b')).toBeNull();
    expect((await consume(limiter, 'a')).refused).toBe(true);
  });

  it('at its cap, lets a key open a new window in place of its ended one without dropping another', async () => {
    const { limiter, store, dropped, advance } = limiterOf(1, 60, 2);
    await consume(limiter, 'a');
    advance(10_000);
    await consume(limiter, 'b');
    advance(50_000);

    expect((await consume(limiter, 'a')).refused).toBe(false);

    expect([store.size, dropped()]).toEqual([2, 0]);
    expect((await consume(limiter, 'b')).refused).toBe(true);
  });

  it('keeps nothing for points given back to a key without a window, and drops nobody for them', async () => {
    const { limiter, store, dropped } = limiterOf(1, 60, 2);
    await consume(limiter, 'a');
    await consume(limiter, 'b');

    await limiter.reward('z', 1);

    expect([store.size, dropped()]).toEqual([2, 0]);
    expect(await limiter.get('z')).toBeNull();
    expect((await consume(limiter, 'a')).refused).toBe(true);
  });

  it('refuses windows of another length (block, set) instead of breaking the order it drops them in', async () => {
    const { limiter } = limiterOf(1, 60, 2);

    await expect(limiter.block('a', 10)).rejects.toThrow(/duration/);
    await expect(limiter.set('a', 1, 10)).rejects.toThrow(/duration/);
    expect(() => new BoundedWindows(0, 60_000)).toThrow(RangeError);
  });

  it('stays at its cap under twice as many distinct keys, the newest still counted', async () => {
    const { limiter, store, dropped } = limiterOf(1, 3600, 10_000);
    for (let i = 0; i < 20_000; i++) await limiter.consume(`2001:db8:${i.toString(16)}::/64`, 1);

    expect(store.size).toBe(10_000);
    expect(dropped()).toBe(10_000);
    expect((await consume(limiter, `2001:db8:${(19_999).toString(16)}::/64`)).refused).toBe(true);
    expect((await consume(limiter, '2001:db8:0::/64')).refused).toBe(false);
  });
});
