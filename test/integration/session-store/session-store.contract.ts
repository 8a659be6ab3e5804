import type { SessionStore } from '../../../src/session/session.store';
import { describeBestShots } from './contract/best-shots.contract';
import { describeClaims } from './contract/claims.contract';
import type { Subject } from './contract/fixtures';
import { describeLeases } from './contract/leases.contract';
import { describeRecords } from './contract/records.contract';
import { describeResults } from './contract/results.contract';
import { describeReviews } from './contract/reviews.contract';

export { CONTRACT_SESSIONS_CONFIG } from './contract/fixtures';

export interface ContractHarness {
  /** A store configured with CONTRACT_SESSIONS_CONFIG; one per test. */
  newStore(): Promise<SessionStore>;
  /** Frees what newStore made (timers, connections). */
  disposeStore?(store: SessionStore): Promise<void> | void;
  /**
   * How the suite crosses time: every rule of the port follows the `now` its caller passes, so
   * a test moves on by passing a later instant. t0() is each test's first instant; it must lie
   * ahead of real time, since Redis TTLs follow real time and must not fire within a test.
   */
  t0(): Date;
}

/** The behaviour of the SessionStore port, which every implementation must show alike. */
export function describeSessionStoreContract(harness: ContractHarness): void {
  let subject: Subject;

  beforeEach(async () => {
    const t0 = harness.t0().getTime();
    subject = { store: await harness.newStore(), at: (ms) => new Date(t0 + ms) };
  });

  afterEach(async () => {
    await harness.disposeStore?.(subject.store);
  });

  const current = () => subject;
  describeRecords(current);
  describeClaims(current);
  describeLeases(current);
  describeResults(current);
  describeBestShots(current);
  describeReviews(current);
}

/** A T0 a year ahead of the clock, on a whole second: far from any TTL, and from other suites' instants. */
export function aYearAhead(): Date {
  return new Date(Math.floor(Date.now() / 1000) * 1000 + 365 * 86_400_000);
}
