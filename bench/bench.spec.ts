import { compareBytes } from './load';
import { evaluateTargets, Results } from './report';
import { addedLatencyScore, percentile, ratio, summarize } from './stats';
import type { BytesRow, Config } from './workloads';

const s = (median: number) => ({ median, min: median, max: median, n: 1 });

describe('bench statistics', () => {
  it('takes nearest-rank percentiles of unsorted samples', () => {
    const xs = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(xs, 50)).toBe(5);
    expect(percentile(xs, 99)).toBe(10);
    expect(percentile(xs, 0)).toBe(1);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarizes repetitions as median and range, ignoring missing values', () => {
    expect(summarize([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, n: 3 });
    expect(summarize([4, 1, NaN, 2, 3])).toEqual({ median: 2.5, min: 1, max: 4, n: 4 });
    expect(summarize([]).n).toBe(0);
  });

  it('never divides by a missing figure or zero', () => {
    expect(ratio(2, 4)).toBe(0.5);
    expect(ratio(2, 0)).toBeNaN();
    expect(ratio(NaN, 1)).toBeNaN();
  });

  it('allows the SUT 1.25× the limit’s added latency, or the limit plus 5 ms when that is more', () => {
    expect(addedLatencyScore(25, 20, 1.25, 5)).toBe(1); // 1.25 × 20 = 25 > 20 + 5
    expect(addedLatencyScore(6, 2, 1.25, 5)).toBeCloseTo(6 / 7); // 2 + 5 = 7 > 2.5
    expect(addedLatencyScore(40, 20, 1.25, 5)).toBeGreaterThan(1);
    expect(addedLatencyScore(-3, 20, 1.25, 5)).toBe(0); // faster than D is no added latency
  });
});

describe('byte check', () => {
  const known = new Set(['a', 'b', 'c']);
  it('passes when U received every acknowledged body', () => {
    expect(compareBytes('SUT', { a: 2, b: 1 }, { hashes: { a: 2, b: 1 } } as never, known)).toEqual([]);
  });
  it('fails on a missing or an altered body', () => {
    expect(compareBytes('SUT', { a: 2 }, { hashes: { a: 1 } } as never, known)).toHaveLength(1);
    expect(compareBytes('SUT', { a: 1 }, { hashes: { a: 1, zz: 1 } } as never, known)).toHaveLength(1);
  });
});

describe('targets', () => {
  const cfg = {
    bytes: { sizes: [100, 1000], concurrencies: [1, 8, 32] },
    memory: { uploads: 64, size: 1000 },
  } as Config;
  const row = (actor: BytesRow['actor'], concurrency: number, mbps: number, p99: number, cpu: number): BytesRow => ({
    actor,
    size: 1000,
    concurrency,
    mbps: s(mbps),
    p50: s(p99),
    p99: s(p99),
    cpuPerMB: s(cpu),
    requests: 1,
  });
  const results: Results = {
    json: [
      { actor: 'SUT', rps: s(800), p50: s(1), p99: s(2) },
      { actor: 'B2', rps: s(1000), p50: s(1), p99: s(2) },
    ],
    bytes: [
      row('D', 1, 0, 10, 0),
      row('B1', 1, 0, 30, 0),
      row('SUT', 1, 0, 36, 0),
      row('B1', 8, 100, 0, 0.01),
      row('SUT', 8, 85, 0, 0.012),
      row('P1', 8, 40, 0, 0.03),
    ],
    memory: [
      { actor: 'SUT', idle: s(100), peak: s(200), perUpload: s(1200), maxInFlight: 64 },
      { actor: 'P1', idle: s(100), peak: s(500), perUpload: s(3000), maxInFlight: 64 },
    ],
    overload: null,
  };

  it('computes each ratio from the right cells', () => {
    const t = evaluateTargets(cfg, results);
    expect(t.map((x) => x.value)).toEqual([0.8, 0.85, 26 / 25, expect.closeTo(1.2), 1.2, 85 / 40, 0.4, NaN, NaN]);
    expect(t.map((x) => x.pass)).toEqual([true, true, false, true, true, true, true, false, false]);
  });
});
