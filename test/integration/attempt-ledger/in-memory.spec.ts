import { InMemoryAttemptLedger } from '../../../src/attempts/in-memory-attempt-ledger';
import { aYearAhead, CONTRACT_RULE, describeAttemptLedgerContract } from './attempt-ledger.contract';

describe('InMemoryAttemptLedger', () => {
  describeAttemptLedgerContract({
    newPeers: (rule) => {
      const ledger = new InMemoryAttemptLedger(rule);
      return Promise.resolve([ledger, ledger]);
    },
    t0: aYearAhead,
  });

  it('keeps at most its cap of subjects, dropping the one that failed longest ago', async () => {
    const ledger = new InMemoryAttemptLedger(CONTRACT_RULE, 2);
    const t0 = aYearAhead().getTime();
    await ledger.recordFailure('first', 'f1', new Date(t0));
    await ledger.recordFailure('second', 'f2', new Date(t0 + 1));
    await ledger.recordFailure('first', 'f3', new Date(t0 + 2));

    await ledger.recordFailure('third', 'f4', new Date(t0 + 3));

    await expect(ledger.tally('second', new Date(t0 + 4))).resolves.toEqual({ failures: 0, lockedUntil: null });
    await expect(ledger.tally('first', new Date(t0 + 4))).resolves.toEqual({ failures: 2, lockedUntil: null });
    await expect(ledger.tally('third', new Date(t0 + 4))).resolves.toEqual({ failures: 1, lockedUntil: null });
  });
});
