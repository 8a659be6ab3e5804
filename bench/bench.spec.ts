import { compareBytes } from './load';
import type { Results } from './report';
import type { SlowRow } from './slow';
import { addedLatencyScore, percentile, ratio, summarize } from './stats';
import { cellTarget, evaluateTargets, worstCell } from './targets';
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

describe('worst cell', () => {
  const cells = [
    { name: 'a', value: 1.1, detail: '' },
    { name: 'b', value: 0.7, detail: '' },
    { name: 'c', value: 1.4, detail: '' },
  ];
  it('is the lowest ratio for an at-least target and the highest for an at-most target', () => {
    expect(worstCell(cells, '>=').name).toBe('b');
    expect(worstCell(cells, '<=').name).toBe('c');
  });
  it('is a cell without a figure before any measured one, so a missing cell never passes', () => {
    expect(worstCell([...cells, { name: 'gone', value: NaN, detail: '' }], '>=').name).toBe('gone');
    expect(cellTarget('x', [...cells, { name: 'gone', value: NaN, detail: '' }], '<=', 10).pass).toBe(false);
    expect(cellTarget('x', [], '>=', 0).pass).toBe(false);
  });
  it('names the deciding cell and counts the cells that pass', () => {
    const t = cellTarget('MB/s', cells, '>=', 1);
    expect(t).toMatchObject({ value: 0.7, pass: false });
    expect(t.detail).toMatch(/^worst b: .*; 2 of 3 cells pass$/);
  });
});

describe('targets', () => {
  const cfg = {
    bytes: { sizes: [100, 1000], concurrencies: [1, 8] },
    memory: { uploads: 64, size: 1000 },
    slow: { uploads: 1 },
  } as Config;
  const row = (actor: BytesRow['actor'], size: number, concurrency: number, mbps: number, cpu: number): BytesRow => ({
    actor,
    size,
    concurrency,
    mbps: s(mbps),
    p50: s(1),
    p99: s(1),
    cpuPerMB: s(cpu),
    requests: 1,
  });
  // Every cell: P1 10 MB/s, B2 10 MB/s at 1 CPU ms/MB; the SUT as fast, except 1000 B at c=8.
  const cells = cfg.bytes.sizes.flatMap((size) => cfg.bytes.concurrencies.map((c) => [size, c] as const));
  const slowCell = (size: number, c: number) => size === 1000 && c === 8;
  const slow = (actor: SlowRow['actor'], maxArriving: number): SlowRow => ({
    actor,
    fast: { ok: 1, refused: 0, p50: 1, p99: 1, mbps: 1 },
    slow: { ok: 1, refused: 0, p50: 1 },
    maxArriving,
    maxInFlight: 4,
    maxReceiving: 4,
  });
  const results: Results = {
    json: [
      { actor: 'SUT', rps: s(800), p50: s(1), p99: s(2) },
      { actor: 'SUT-R', rps: s(700), p50: s(1), p99: s(2) },
      { actor: 'B2', rps: s(1000), p50: s(1), p99: s(2) },
    ],
    bytes: cells.flatMap(([size, c]) => [
      row('P1', size, c, 10, 0.001),
      row('B2', size, c, 10, 0.001),
      row('SUT', size, c, slowCell(size, c) ? 8 : 10, slowCell(size, c) ? 0.0013 : 0.001),
      row('SUT-R', size, c, size === 100 && c === 1 ? 7 : 10, 0.001),
    ]),
    memory: [
      { actor: 'SUT', idle: s(120), peak: s(200), perUpload: s(1200), maxInFlight: 64 },
      { actor: 'B2', idle: s(100), peak: s(250), perUpload: s(3000), maxInFlight: 64 },
    ],
    overload: null,
    slow: [slow('SUT', 0), slow('B1', 16)],
    capacity: [],
  };

  it('computes each ratio from the right cells and judges it against its goal', () => {
    const t = evaluateTargets(cfg, results);
    expect(t.map((x) => x.value)).toEqual([0.8, 0.8, 0.8, expect.closeTo(1.3), 0.8, 1.2, 0.875, 0.7, 0, NaN, NaN]);
    expect(t.map((x) => x.pass)).toEqual([true, false, false, false, true, true, true, false, true, false, false]);
    expect(t[1].detail).toMatch(/^worst 0\.977 KiB c=8: SUT 8 \/ P1 10 MB\/s; 3 of 4 cells pass$/);
    expect(t[7].detail).toMatch(/c=1: SUT-R 7 \/ SUT 10 MB\/s; 1 of 2 cells pass$/);
  });

  it('counts the overload figures as informational only, and a missing SUT slow run as a miss', () => {
    const t = evaluateTargets(cfg, { ...results, slow: [] });
    expect(t.filter((x) => x.informational).map((x) => x.figure)).toEqual(['overload: slowest refusal (ms)', 'overload: admitted p99 / unloaded p99']);
    expect(t.find((x) => x.figure.startsWith('slow clients'))).toMatchObject({ pass: false, detail: 'not measured' });
  });
});
