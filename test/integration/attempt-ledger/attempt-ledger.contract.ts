import type { AttemptLedger, AttemptRule } from '../../../src/attempts/attempt-ledger';

export const CONTRACT_RULE: AttemptRule = { limit: 3, windowMs: 60_000 };

export interface LedgerHarness {
  /** Two ledgers over one shared state, as two replicas have theirs (in memory: one ledger twice). */
  newPeers(rule: AttemptRule): Promise<[AttemptLedger, AttemptLedger]>;
  /** Each test's first instant; ahead of real time, so that Redis TTLs never fire within a test. */
  t0(): Date;
}

/** The behaviour of the AttemptLedger port (docs/api.md §14), which every implementation must show alike. */
export function describeAttemptLedgerContract(harness: LedgerHarness): void {
  let ledger: AttemptLedger;
  let peer: AttemptLedger;
  let at: (ms: number) => Date;
  let subject: string;
  let counter = 0;
  const { limit, windowMs } = CONTRACT_RULE;

  beforeEach(async () => {
    [ledger, peer] = await harness.newPeers(CONTRACT_RULE);
    const t0 = harness.t0().getTime();
    at = (ms) => new Date(t0 + ms);
    subject = `subject-${++counter}-${Math.random().toString(36).slice(2)}`;
  });

  const fail = (ms: number, id = `failure-${ms}`, who = subject) => ledger.recordFailure(who, id, at(ms));

  it('knows nothing of a subject never seen: no failures, no lock', async () => {
    await expect(ledger.tally(subject, at(0))).resolves.toEqual({ failures: 0, lockedUntil: null });
  });

  it('counts failures below the limit without a lock', async () => {
    await fail(0);
    const second = await fail(1_000);

    expect(second).toEqual({ failures: 2, lockedUntil: null, becameLocked: false });
    await expect(ledger.tally(subject, at(2_000))).resolves.toEqual({ failures: 2, lockedUntil: null });
  });

  it('locks at the limit until the oldest failure leaves the window, and says so once', async () => {
    await fail(0);
    await fail(1_000);
    const third = await fail(2_000);
    const fourth = await fail(3_000);

    expect(third).toEqual({ failures: limit, lockedUntil: at(windowMs), becameLocked: true });
    // Past the limit, the lock lasts until enough failures left: the oldest of the latest `limit`.
    expect(fourth).toEqual({ failures: 4, lockedUntil: at(1_000 + windowMs), becameLocked: false });
  });

  it('unlocks when the failure that holds the lock leaves the window, and counts only the window', async () => {
    for (const ms of [0, 1_000, 2_000]) await fail(ms);

    await expect(ledger.tally(subject, at(windowMs - 1))).resolves.toEqual({ failures: 3, lockedUntil: at(windowMs) });
    await expect(ledger.tally(subject, at(windowMs))).resolves.toEqual({ failures: 2, lockedUntil: null });
    await expect(ledger.tally(subject, at(2_000 + windowMs))).resolves.toEqual({ failures: 0, lockedUntil: null });
  });

  it('counts a failure id once however often it is recorded', async () => {
    await fail(0, 'evt-a');
    const again = await fail(500, 'evt-a');

    expect(again).toEqual({ failures: 1, lockedUntil: null, becameLocked: false });
  });

  it('forgets every failure of a subject, and only of that subject', async () => {
    const other = `${subject}-other`;
    for (const ms of [0, 1, 2]) await fail(ms);
    await fail(3, 'other-1', other);

    await ledger.forget(subject);

    await expect(ledger.tally(subject, at(10))).resolves.toEqual({ failures: 0, lockedUntil: null });
    await expect(ledger.tally(other, at(10))).resolves.toEqual({ failures: 1, lockedUntil: null });
    await expect(fail(20)).resolves.toEqual({ failures: 1, lockedUntil: null, becameLocked: false });
  });

  it('counts failures recorded at once on two replicas, each of them, and reports the lock exactly once', async () => {
    const recorded = await Promise.all(
      Array.from({ length: 2 * limit }, (_, i) => (i % 2 === 0 ? ledger : peer).recordFailure(subject, `parallel-${i}`, at(100))),
    );

    expect(recorded.filter((failure) => failure.becameLocked)).toHaveLength(1);
    await expect(peer.tally(subject, at(101))).resolves.toEqual({ failures: 2 * limit, lockedUntil: at(100 + windowMs) });
  });

  it('never locks with the limit off (0), whatever it counts', async () => {
    const [off] = await harness.newPeers({ limit: 0, windowMs });
    for (const ms of [0, 1, 2, 3]) await off.recordFailure(subject, `off-${ms}`, at(ms));

    await expect(off.tally(subject, at(4))).resolves.toEqual({ failures: 4, lockedUntil: null });
  });
}

/** A T0 a year ahead of the clock, on a whole second. */
export function aYearAhead(): Date {
  return new Date(Math.floor(Date.now() / 1000) * 1000 + 365 * 86_400_000);
}
