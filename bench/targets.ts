/**
 * The targets of the issue "Lose to no peer" (bench/RESULTS.md): ratios of medians measured in
 * the same run. A target over "every upload cell" is judged on its worst cell, which it names; a
 * cell without a figure is the worst of all, so a missing measurement never passes. The overload
 * figures of the earlier issue are kept as informational rows.
 */
import { fmt, ratio, target, type Comparison, type TargetResult } from './stats';
import type { Results } from './report';
import type { Config } from './workloads';

const MiB = 2 ** 20;
export const sizeLabel = (n: number): string => (n >= MiB ? `${fmt(n / MiB)} MiB` : `${fmt(n / 1024)} KiB`);

export interface Cell {
  name: string;
  value: number;
  detail: string;
}

/** The cell that decides a target: the lowest ratio for `>=`, the highest for `<=`; a missing figure (NaN) first. */
export function worstCell(cells: readonly Cell[], comparison: Comparison): Cell {
  if (cells.length === 0) return { name: 'no cell', value: NaN, detail: 'not measured' };
  const missing = cells.find((c) => !Number.isFinite(c.value));
  if (missing) return missing;
  return cells.reduce((worst, c) => ((comparison === '>=' ? c.value < worst.value : c.value > worst.value) ? c : worst));
}

/** One target over several cells, judged on the worst; the detail names it and how many cells pass. */
export function cellTarget(figure: string, cells: readonly Cell[], comparison: Comparison, goal: number): TargetResult {
  const worst = worstCell(cells, comparison);
  const passing = cells.filter((c) => target('', c.value, comparison, goal, '').pass).length;
  return target(figure, worst.value, comparison, goal, `worst ${worst.name}: ${worst.detail}; ${passing} of ${cells.length} cells pass`);
}

const informational = (t: TargetResult): TargetResult => ({ ...t, informational: true });

/** Per upload cell (size × concurrency of workload 2): `figure(a)` of two actors divided. */
export function uploadCells(cfg: Config, r: Results, sizes: readonly number[], of: 'mbps' | 'cpuPerMB', a: string, b: string): Cell[] {
  const unit = of === 'mbps' ? 'MB/s' : 'CPU ms/MB';
  const scale = of === 'mbps' ? 1 : 1000;
  return sizes.flatMap((size) =>
    cfg.bytes.concurrencies.map((c) => {
      const v = (actor: string) => r.bytes.find((x) => x.actor === actor && x.size === size && x.concurrency === c)?.[of].median ?? NaN;
      return { name: `${sizeLabel(size)} c=${c}`, value: ratio(v(a), v(b)), detail: `${a} ${fmt(v(a) * scale)} / ${b} ${fmt(v(b) * scale)} ${unit}` };
    }),
  );
}

export function evaluateTargets(cfg: Config, r: Results): TargetResult[] {
  const json = (a: string) => r.json.find((x) => x.actor === a)?.rps.median ?? NaN;
  const mem = (a: string) => r.memory.find((x) => x.actor === a);
  const peak = (a: string) => mem(a)?.peak.median ?? NaN;
  const idle = (a: string) => mem(a)?.idle.median ?? NaN;
  const sizes = cfg.bytes.sizes;
  const smallest = [Math.min(...sizes)];
  const sut = r.slow.find((x) => x.actor === 'SUT');
  const others = r.slow.filter((x) => x.actor !== 'SUT').map((x) => `${x.actor} ${x.maxArriving}`);
  const ov = r.overload;
  return [
    target('session-token req/s, SUT / B2', ratio(json('SUT'), json('B2')), '>=', 0.8, `SUT ${fmt(json('SUT'))} / B2 ${fmt(json('B2'))} req/s`),
    cellTarget('MB/s in every upload cell, SUT / P1', uploadCells(cfg, r, sizes, 'mbps', 'SUT', 'P1'), '>=', 1),
    cellTarget('MB/s in every upload cell, SUT / B2', uploadCells(cfg, r, sizes, 'mbps', 'SUT', 'B2'), '>=', 0.9),
    cellTarget('CPU ms per MB in every upload cell, SUT / B2', uploadCells(cfg, r, sizes, 'cpuPerMB', 'SUT', 'B2'), '<=', 1.2),
    target(
      `peak RSS with ${cfg.memory.uploads} uploads of ${sizeLabel(cfg.memory.size)} in flight, SUT / B2`,
      ratio(peak('SUT'), peak('B2')),
      '<=',
      1,
      `SUT ${fmt(peak('SUT') / MiB)} / B2 ${fmt(peak('B2') / MiB)} MiB`,
    ),
    target('idle RSS, SUT / B2', ratio(idle('SUT'), idle('B2')), '<=', 1.2, `SUT ${fmt(idle('SUT') / MiB)} / B2 ${fmt(idle('B2') / MiB)} MiB`),
    target(
      'with Redis: session-token req/s, SUT-R / SUT',
      ratio(json('SUT-R'), json('SUT')),
      '>=',
      0.8,
      `SUT-R ${fmt(json('SUT-R'))} / SUT ${fmt(json('SUT'))} req/s`,
    ),
    cellTarget(`with Redis: MB/s of ${sizeLabel(smallest[0])} uploads, SUT-R / SUT`, uploadCells(cfg, r, smallest, 'mbps', 'SUT-R', 'SUT'), '>=', 0.8),
    target(
      'slow clients: Oz slots held by uploads still arriving (SUT)',
      sut ? sut.maxArriving : NaN,
      '<=',
      0,
      sut
        ? `${sut.slow.ok} of ${cfg.slow.uploads} slow uploads analysed; U: at most ${sut.maxInFlight} in flight; others still arriving: ${others.join(', ') || '–'}`
        : 'not measured',
    ),
    informational(
      target(
        'overload: slowest refusal (ms)',
        ov ? ov.refuseMs.max : NaN,
        '<=',
        50,
        ov ? `${ov.refused} of ${ov.arrivals} refused, median ${fmt(ov.refuseMs.median)} ms` : 'not measured',
      ),
    ),
    informational(
      target(
        'overload: admitted p99 / unloaded p99',
        ov ? ratio(ov.admittedP99, ov.unloadedP99) : NaN,
        '<=',
        1.2,
        ov ? `${fmt(ov.admittedP99)} / ${fmt(ov.unloadedP99)} ms` : 'not measured',
      ),
    ),
  ];
}
