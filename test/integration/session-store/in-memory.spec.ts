import { createHash } from 'node:crypto';
import { Clock } from '../../../src/session/clock';
import { InMemorySessionStore, MAX_HELD_BEST_SHOT_BYTES, MAX_SESSIONS } from '../../../src/session/in-memory-session.store';
import type { SessionRecord } from '../../../src/session/session.types';
import { BEST_SHOT, BEST_SHOT_TTL_SECONDS, LEASE_MS, PURGE_MS, SHA_A, failure, lease, result, sessionAt } from './contract/fixtures';
import { aYearAhead, CONTRACT_SESSIONS_CONFIG, describeSessionStoreContract } from './session-store.contract';

describe('InMemorySessionStore', () => {
  describeSessionStoreContract({
    newStore: async () => new InMemorySessionStore(CONTRACT_SESSIONS_CONFIG),
    disposeStore: (store) => (store as InMemorySessionStore).onApplicationShutdown(),
    t0: aYearAhead,
  });
});

const digest = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

class ManualClock extends Clock {
  constructor(public current: Date) {
    super();
  }
  now(): Date {
    return new Date(this.current);
  }
}

const MAX = 4;
const T0 = aYearAhead();
const at = (ms: number) => new Date(T0.getTime() + ms);

describe('InMemorySessionStore capacity', () => {
  let clock: ManualClock;
  let store: InMemorySessionStore;

  beforeEach(() => {
    clock = new ManualClock(at(0));
    store = new InMemorySessionStore(CONTRACT_SESSIONS_CONFIG, clock, { maxSessions: MAX });
  });

  afterEach(() => store.onApplicationShutdown());

  async function fill(count: number, overrides: Partial<SessionRecord> = {}): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const record = sessionAt(at(i), { purgeAt: at(i + PURGE_MS), ...overrides });
      await expect(store.create(record)).resolves.toEqual({ available: true });
      ids.push(record.id);
    }
    return ids;
  }

  async function claim(id: string) {
    const held = lease(at(LEASE_MS));
    await expect(store.claimForUpload(id, SHA_A, at(100), held)).resolves.toMatchObject({ outcome: 'claimed' });
    return held;
  }
  const complete = async (id: string) =>
    expect(store.complete(id, (await claim(id)).claimId, result(at(200)), BEST_SHOT)).resolves.toMatchObject({ returned: true });
  const fail = async (id: string) => expect(store.fail(id, (await claim(id)).claimId, failure(at(200)))).resolves.toBe(true);
  const stored = async (id: string) => (await store.get(id, at(300)))?.status ?? 'gone';

  it('takes every new session when full of open ones, each in the place of the oldest: a flood cannot lock it', async () => {
    const flood = await fill(3 * MAX);

    expect(await Promise.all(flood.map(stored))).toEqual([...Array(2 * MAX).fill('gone'), ...Array(MAX).fill('open')]);
    await expect(store.room()).resolves.toEqual({ available: true });
  });

  it('keeps sessions with an upload or a result and evicts the oldest open one instead when full', async () => {
    const ids = await fill(MAX);
    await claim(ids[0]);
    await complete(ids[1]);

    const [newcomer] = await fill(1);

    expect(await Promise.all([...ids, newcomer].map(stored))).toEqual(['processing', 'completed', 'gone', 'open', 'open']);
  });

  it('counts a session released back to open as open from its release, after the sessions open before it', async () => {
    const ids = await fill(MAX);
    const held = await claim(ids[0]);
    await store.release(ids[0], held.claimId, false);

    const newcomers = await fill(2);

    expect(await Promise.all([...ids, ...newcomers].map(stored))).toEqual(['open', 'gone', 'gone', 'open', 'open', 'open']);
  });

  it('evicts an open session before an older failed one', async () => {
    const ids = await fill(MAX);
    await fail(ids[0]);

    const [newcomer] = await fill(1);

    expect(await Promise.all([...ids, newcomer].map(stored))).toEqual(['failed', 'gone', 'open', 'open', 'open']);
  });

  it('evicts the oldest failed session when no open one is left, after which a retry of its bytes gets not-found', async () => {
    const ids = await fill(MAX);
    await fail(ids[1]);
    await fail(ids[0]);
    await complete(ids[2]);
    await complete(ids[3]);

    const [newcomer] = await fill(1);

    expect(await Promise.all([...ids, newcomer].map(stored))).toEqual(['failed', 'gone', 'completed', 'completed', 'open']);
    await expect(store.claimForUpload(ids[1], SHA_A, at(300), lease(at(LEASE_MS)))).resolves.toEqual({ outcome: 'not-found' });
  });

  it('refuses rather than drop results when only processing and completed sessions are left, with the time until the oldest is purged', async () => {
    const ids = await fill(MAX);
    await claim(ids[0]);
    for (const id of ids.slice(1)) await complete(id);
    clock.current = at(PURGE_MS - 90_500);
    const refusal = { available: false, retryAfterSeconds: 91 };

    await expect(store.room()).resolves.toEqual(refusal);
    const newcomer = sessionAt(at(0));
    await expect(store.create(newcomer)).resolves.toEqual(refusal);

    await expect(store.get(newcomer.id, at(300))).resolves.toBeNull();
    expect(await Promise.all(ids.map(stored))).toEqual(['processing', 'completed', 'completed', 'completed']);
  });

  it('answers a wait of at least 1 s when the oldest kept session is purged within the second', async () => {
    const ids = await fill(MAX);
    for (const id of ids) await complete(id);
    clock.current = at(PURGE_MS - 1);

    await expect(store.room()).resolves.toEqual({ available: false, retryAfterSeconds: 1 });
  });

  it('takes new sessions again once the oldest kept session is due for purge by its clock', async () => {
    const ids = await fill(MAX);
    for (const id of ids) await complete(id);
    clock.current = at(PURGE_MS);

    await expect(store.room()).resolves.toEqual({ available: true });
    const [newcomer] = await fill(1);

    await expect(store.get(ids[0], at(300))).resolves.toBeNull();
    expect(await Promise.all([ids[1], newcomer].map(stored))).toEqual(['completed', 'open']);
  });

  it('holds MAX_SESSIONS (100,000) sessions by default, and the next one takes the place of the oldest open one', async () => {
    const full = new InMemorySessionStore(CONTRACT_SESSIONS_CONFIG, clock);
    const base = sessionAt(at(0));
    const ids = Array.from({ length: MAX_SESSIONS + 1 }, (_, i) => `s-${i}`);
    for (const id of ids) await full.create({ ...base, id });
    full.onApplicationShutdown();

    await expect(full.get(ids[0], at(1))).resolves.toBeNull();
    await expect(full.get(ids[1], at(1))).resolves.toMatchObject({ id: ids[1] });
    await expect(full.get(ids[MAX_SESSIONS], at(1))).resolves.toMatchObject({ id: ids[MAX_SESSIONS] });
  });
});

describe('InMemorySessionStore best-shot bytes', () => {
  const KiB = 1024;
  let clock: ManualClock;
  let store: InMemorySessionStore;

  afterEach(() => store.onApplicationShutdown());

  function storeWithCap(maxBestShotBytes?: number): InMemorySessionStore {
    clock = new ManualClock(at(0));
    store = new InMemorySessionStore(CONTRACT_SESSIONS_CONFIG, clock, maxBestShotBytes === undefined ? {} : { maxBestShotBytes });
    return store;
  }

  /** A session completed at `completedAtMs` with a best shot of `size` bytes of `fill`, and the hold complete() answered. */
  async function completedWith(
    size: number,
    fill: number,
    completedAtMs: number,
    overrides: Partial<SessionRecord> = {},
  ): Promise<{ id: string; bytes: Buffer; heldUntil: Date | null }> {
    const record = sessionAt(at(0), overrides);
    const bytes = Buffer.alloc(size, fill);
    await store.create(record);
    const held = lease(at(LEASE_MS));
    await expect(store.claimForUpload(record.id, SHA_A, at(completedAtMs), held)).resolves.toMatchObject({ outcome: 'claimed' });
    const hold = await store.complete(record.id, held.claimId, result(at(completedAtMs)), bytes);
    expect(hold).toMatchObject({ returned: true });
    return { id: record.id, bytes, heldUntil: hold!.heldUntil };
  }

  /** What a read at `ms` finds: 'expired', or the SHA-256 of the bytes held (Jest compares large buffers slowly). */
  async function readAt(id: string, ms: number): Promise<string> {
    const lookup = await store.getBestShot(id, at(ms));
    return lookup.state === 'held' ? digest(lookup.bytes) : lookup.state;
  }

  it('lets the oldest held best shots go when a new one would pass the cap, and keeps the newer ones byte for byte', async () => {
    storeWithCap(300 * KiB);
    const first = await completedWith(100 * KiB, 1, 10);
    const second = await completedWith(100 * KiB, 2, 20);
    const third = await completedWith(100 * KiB, 3, 30);
    clock.current = at(40);

    const fourth = await completedWith(150 * KiB, 4, 40);

    expect(await readAt(first.id, 50)).toBe('expired');
    expect(await readAt(second.id, 50)).toBe('expired');
    expect(await readAt(third.id, 50)).toBe(digest(third.bytes));
    expect(await readAt(fourth.id, 50)).toBe(digest(fourth.bytes));
    // The session says so too (bestShotAvailable false from now on), and keeps its result.
    await expect(store.get(first.id, at(50))).resolves.toMatchObject({ status: 'completed', bestShot: { returned: true, heldUntil: at(40) } });
    await expect(store.get(third.id, at(50))).resolves.toMatchObject({ bestShot: { returned: true, heldUntil: at(30 + BEST_SHOT_TTL_SECONDS * 1000) } });
  });

  it('does not hold a best shot larger than the whole cap, and lets none of the others go for it', async () => {
    storeWithCap(100 * KiB);
    const small = await completedWith(60 * KiB, 1, 10);

    const huge = await completedWith(100 * KiB + 1, 2, 20);

    // complete() says so itself, so the upload's answer can never promise it (bestShotAvailable).
    expect(huge.heldUntil).toEqual(at(20));
    expect(small.heldUntil).toEqual(at(10 + BEST_SHOT_TTL_SECONDS * 1000));
    expect(await readAt(huge.id, 30)).toBe('expired');
    await expect(store.get(huge.id, at(30))).resolves.toMatchObject({ status: 'completed', bestShot: { returned: true, heldUntil: at(20) } });
    expect(await readAt(small.id, 30)).toBe(digest(small.bytes));
  });

  it('counts the bytes of a best shot that expired as free again', async () => {
    storeWithCap(200 * KiB);
    const expired = await completedWith(100 * KiB, 1, 0);
    const kept = await completedWith(100 * KiB, 2, BEST_SHOT_TTL_SECONDS * 1000 - 1);
    // The first is past its hold when it is read; its bytes no longer count.
    expect(await readAt(expired.id, BEST_SHOT_TTL_SECONDS * 1000)).toBe('expired');
    clock.current = at(BEST_SHOT_TTL_SECONDS * 1000);

    const next = await completedWith(100 * KiB, 3, BEST_SHOT_TTL_SECONDS * 1000);

    expect(await readAt(kept.id, BEST_SHOT_TTL_SECONDS * 1000)).toBe(digest(kept.bytes));
    expect(await readAt(next.id, BEST_SHOT_TTL_SECONDS * 1000)).toBe(digest(next.bytes));
  });

  it('tells its listeners of every best shot let go early, and of none that ran its BEST_SHOT_TTL_SECONDS', async () => {
    storeWithCap(200 * KiB);
    let letGo = 0;
    store.onBestShotLetGoEarly(() => letGo++);
    await completedWith(100 * KiB, 1, 0);
    await completedWith(100 * KiB, 2, 10);
    clock.current = at(BEST_SHOT_TTL_SECONDS * 1000);
    // The first ran its hold (not early), the second is let go 10 ms before the end of its own.
    await completedWith(100 * KiB, 3, BEST_SHOT_TTL_SECONDS * 1000);
    await completedWith(100 * KiB, 4, BEST_SHOT_TTL_SECONDS * 1000);
    expect(letGo).toBe(1);

    await completedWith(200 * KiB + 1, 5, BEST_SHOT_TTL_SECONDS * 1000);

    // One larger than the whole cap is let go the moment it is returned.
    expect(letGo).toBe(2);
  });

  it('counts the bytes of a purged session’s best shot as free again', async () => {
    storeWithCap(200 * KiB);
    const purged = await completedWith(100 * KiB, 1, 0, { purgeAt: at(100) });
    const kept = await completedWith(100 * KiB, 2, 10);
    // Purged before its best shot's hold ended: the read drops the session and its bytes.
    await expect(store.get(purged.id, at(100))).resolves.toBeNull();
    clock.current = at(100);

    const next = await completedWith(100 * KiB, 3, 100);

    expect(await readAt(kept.id, 100)).toBe(digest(kept.bytes));
    expect(await readAt(next.id, 100)).toBe(digest(next.bytes));
  });

  it('holds at most MAX_HELD_BEST_SHOT_BYTES (256 MiB) by default', async () => {
    storeWithCap();
    expect(MAX_HELD_BEST_SHOT_BYTES).toBe(256 * 1024 * 1024);
    const fits = await completedWith(MAX_HELD_BEST_SHOT_BYTES - 1, 1, 10);
    const last = await completedWith(1, 2, 20);

    const over = await completedWith(1, 3, 30);

    expect(await readAt(fits.id, 40)).toBe('expired');
    expect(await readAt(last.id, 40)).toBe(digest(last.bytes));
    expect(await readAt(over.id, 40)).toBe(digest(over.bytes));
  });
});

describe('InMemorySessionStore sweeper', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  it('drops purged sessions and expired best shots on its own, so that no earlier clock brings them back', async () => {
    const clock = new ManualClock(at(0));
    const store = new InMemorySessionStore(CONTRACT_SESSIONS_CONFIG, clock);
    const purged = sessionAt(at(0), { purgeAt: at(BEST_SHOT_TTL_SECONDS * 1000) });
    const kept = sessionAt(at(0));
    await store.create(purged);
    await store.create(kept);
    const held = lease(at(LEASE_MS));
    await store.claimForUpload(kept.id, SHA_A, at(1), held);
    await store.complete(kept.id, held.claimId, result(at(0)), BEST_SHOT);

    clock.current = at(BEST_SHOT_TTL_SECONDS * 1000);
    jest.advanceTimersByTime(5_000);
    store.onApplicationShutdown();

    await expect(store.get(purged.id, at(1))).resolves.toBeNull();
    await expect(store.getBestShot(kept.id, at(1))).resolves.toEqual({ state: 'expired' });
    await expect(store.get(kept.id, at(1))).resolves.toMatchObject({ status: 'completed' });
  });

  it('stops sweeping at application shutdown', () => {
    const store = new InMemorySessionStore(CONTRACT_SESSIONS_CONFIG, new ManualClock(at(0)));
    const timers = jest.getTimerCount();

    store.onApplicationShutdown();

    expect(jest.getTimerCount()).toBe(timers - 1);
  });
});
