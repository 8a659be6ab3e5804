import type { AppError } from '../common/app-error';
import type { LimitsConfig } from '../config';
import { UploadBudget } from './upload-budget';
import { UploadMeters } from './upload-meter';

const LIMITS = { maxInflightUploadBytes: 1_000_000, maxInflightUploadBytesPerAddress: 1_000_000, minUploadBytesPerSecond: 1_000 } as LimitsConfig;
const GRACE_MS = 10_000;

describe('UploadMeter: the minimum body rate of docs/api.md §16', () => {
  let budget: UploadBudget;
  let meters: UploadMeters;
  let cuts: AppError[];

  beforeEach(() => {
    jest.useFakeTimers();
    budget = new UploadBudget(LIMITS);
    meters = new UploadMeters(budget, LIMITS, GRACE_MS);
    cuts = [];
  });
  afterEach(() => jest.useRealTimers());

  const open = (declared: number | null) => meters.open('198.51.100.1', declared, (error) => cuts.push(error));

  it('judges nothing during the grace, however slow the body', () => {
    open(50_000);
    jest.advanceTimersByTime(GRACE_MS - 1);

    expect(cuts).toEqual([]);
    expect(budget.bytesInUse).toBe(50_000);
  });

  it('cuts a body below the rate once the grace is over with 408 REQUEST_TIMEOUT, and frees its budget at once', () => {
    const meter = open(50_000);
    meter.arrived(9_000);
    jest.advanceTimersByTime(GRACE_MS);

    expect(cuts).toEqual([expect.objectContaining({ code: 'REQUEST_TIMEOUT', status: 408, retryable: true, headers: { connection: 'close' } })]);
    expect(budget.bytesInUse).toBe(0);
  });

  it('cuts a client that sent nothing at all', () => {
    open(50_000);
    jest.advanceTimersByTime(GRACE_MS);

    expect(cuts.map((error) => error.code)).toEqual(['REQUEST_TIMEOUT']);
  });

  it('measures the rate from the first byte, not from when the service began to wait (§16)', () => {
    const meter = open(50_000);
    jest.advanceTimersByTime(8_000);
    meter.arrived(1_000);

    // 10 s after the wait began, but only 2 s after the first byte: not judged yet.
    jest.advanceTimersByTime(GRACE_MS - 1);
    expect(cuts).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(cuts.map((error) => error.code)).toEqual(['REQUEST_TIMEOUT']);
  });

  it('keeps a body at the rate, and cuts it once its average has fallen below the rate', () => {
    const meter = open(50_000);
    meter.arrived(12_000);
    jest.advanceTimersByTime(GRACE_MS);
    expect(cuts).toEqual([]);

    // 12,000 bytes at 1,000 a second last until 12 s after the start.
    jest.advanceTimersByTime(2_000);
    expect(cuts).toEqual([]);
    // Looked at again a quarter of a second later at the latest, never on every tick.
    jest.advanceTimersByTime(250);
    expect(cuts.map((error) => error.code)).toEqual(['REQUEST_TIMEOUT']);
  });

  it('stops judging a body once it has arrived, and keeps its bytes held until released', () => {
    const meter = open(5_000);
    meter.arrived(5_000);
    meter.finished();
    jest.advanceTimersByTime(10 * GRACE_MS);

    expect(cuts).toEqual([]);
    expect(budget.bytesInUse).toBe(5_000);
    meter.release();
    expect(budget.bytesInUse).toBe(0);
  });
});
