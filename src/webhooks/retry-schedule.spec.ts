import { MAX_RETRY_DELAY_MS, retryDelayMs } from './retry-schedule';

describe('retryDelayMs', () => {
  it('waits WEBHOOK_BACKOFF_MS before the first retry and 4× the one before for each later one', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((failed) => retryDelayMs(5_000, failed))).toEqual([5_000, 20_000, 80_000, 320_000, 1_280_000, 5_120_000, 20_480_000]);
  });

  it('never asks for more than a Node timer can wait, however extreme the configuration', () => {
    expect(retryDelayMs(86_400_000, 99)).toBe(MAX_RETRY_DELAY_MS);
    expect(retryDelayMs(86_400_000, 3)).toBe(1_382_400_000);
    expect(retryDelayMs(86_400_000, 4)).toBe(MAX_RETRY_DELAY_MS);
  });
});
