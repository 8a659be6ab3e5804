/**
 * The Markdown report printed to the console and written next to the JSON (targets: targets.ts).
 */
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './actors';
import { fmt, fmtSummary, TargetResult } from './stats';
import type { CapacityRow } from './capacity';
import type { MemoryRow, OverloadResult } from './held';
import type { SlowRow } from './slow';
import { sizeLabel, uploadCells } from './targets';
import type { BytesRow, Config, JsonRow } from './workloads';

export interface Results {
  json: JsonRow[];
  bytes: BytesRow[];
  memory: MemoryRow[];
  overload: OverloadResult | null;
  slow: SlowRow[];
  capacity: CapacityRow[];
}

const MiB = 2 ** 20;

function version(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '–';
  }
}

export function machine(): Record<string, string | number> {
  let commit = '–';
  try {
    commit = execSync('git rev-parse --short HEAD', { cwd: ROOT }).toString().trim();
  } catch {
    /* not a git checkout */
  }
  const libs = ['fastify', 'undici', 'express', 'axios', 'autocannon', '@nestjs/core', '@nestjs/platform-fastify', '@nestjs/axios', 'pino'];
  return {
    cpu: os.cpus()[0]?.model ?? '–',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    commit,
    ...Object.fromEntries(libs.map((l) => [l, version(l)])),
  };
}

const table = (head: string[], rows: string[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

export function markdown(cfg: Config, r: Results, targets: TargetResult[], m: Record<string, string | number>, errors: string[]): string {
  const out: string[] = [];
  out.push(
    `Machine: ${Object.entries(m)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  out.push('', `### 1. Small JSON (session-token path, c=${cfg.json.connections}, ${cfg.json.reps}× ${cfg.json.durS} s; median (min–max))`, '');
  out.push(
    table(
      ['actor', 'req/s', 'p50 ms', 'p99 ms'],
      r.json.map((x) => [x.actor, fmtSummary(x.rps), fmtSummary(x.p50), fmtSummary(x.p99)]),
    ),
  );
  out.push('', `### 2. Bytes (liveness uploads, no upstream delay, ${cfg.bytes.reps} runs per cell; added = over D at the same cell)`, '');
  const d = (x: BytesRow) => r.bytes.find((y) => y.actor === 'D' && y.size === x.size && y.concurrency === x.concurrency);
  out.push(
    table(
      ['size', 'c', 'actor', 'MB/s', 'p50 ms', 'p99 ms', 'added p50', 'added p99', 'CPU ms/MB'],
      r.bytes.map((x) => [
        sizeLabel(x.size),
        String(x.concurrency),
        x.actor,
        fmtSummary(x.mbps),
        fmtSummary(x.p50),
        fmtSummary(x.p99),
        x.actor === 'D' ? '' : fmt(x.p50.median - (d(x)?.p50.median ?? NaN)),
        x.actor === 'D' ? '' : fmt(x.p99.median - (d(x)?.p99.median ?? NaN)),
        x.actor === 'D' ? '' : fmtSummary({ ...x.cpuPerMB, median: x.cpuPerMB.median * 1000, min: x.cpuPerMB.min * 1000, max: x.cpuPerMB.max * 1000 }),
      ]),
    ),
  );
  out.push('', ...cellRatios(cfg, r));
  out.push(
    '',
    `### 3. Memory (${cfg.memory.uploads} uploads of ${sizeLabel(cfg.memory.size)} in flight, upstream delay ${cfg.memory.delayMs} ms, ${cfg.memory.reps} reps)`,
    '',
  );
  out.push(
    table(
      ['actor', 'idle RSS MiB', 'peak RSS MiB', 'per upload MiB', '× body', 'U saw at once'],
      r.memory.map((x) => [
        x.actor,
        fmt(x.idle.median / MiB),
        fmtSummary({ ...x.peak, median: x.peak.median / MiB, min: x.peak.min / MiB, max: x.peak.max / MiB }),
        fmt(x.perUpload.median / MiB),
        fmt(x.perUpload.median / cfg.memory.size),
        String(x.maxInFlight),
      ]),
    ),
  );
  const ov = r.overload;
  out.push(
    '',
    `### 4. Overload (SUT, OZ_MAX_CONCURRENCY=${cfg.overload.limit}, waves of ${2 * cfg.overload.limit} uploads of ${sizeLabel(cfg.overload.size)}, upstream delay ${cfg.overload.delayMs} ms)`,
    '',
  );
  out.push(
    ov
      ? table(
          ['arrivals', 'admitted', 'refused', 'refusal ms', 'admitted p99 ms', 'unloaded p99 ms', 'RSS idle → peak MiB', 'U saw at once'],
          [
            [
              String(ov.arrivals),
              String(ov.admitted),
              String(ov.refused),
              fmtSummary(ov.refuseMs),
              fmt(ov.admittedP99),
              fmt(ov.unloadedP99),
              `${fmt(ov.idleRss / MiB)} → ${fmt(ov.peakRss / MiB)}`,
              String(ov.upstreamMaxInFlight),
            ],
          ],
        )
      : '(not measured)',
  );
  out.push('', ...slowSection(cfg, r));
  out.push('', cfg.quick ? '### Targets (tiny sizes, not asserted in --quick)' : '### Targets', '');
  out.push(
    table(
      ['figure', 'value', 'target', '', 'from'],
      targets.map((t) => [t.figure, fmt(t.value), `${t.comparison} ${t.target}`, verdict(t), t.detail]),
    ),
  );
  if (errors.length) out.push('', '### Correctness errors', '', ...errors.slice(0, 50).map((e) => `- ${e}`));
  return out.join('\n');
}

const verdict = (t: TargetResult) => (t.informational ? `info: ${t.pass ? 'pass' : 'miss'}` : t.pass ? 'pass' : '**miss**');

/** The ratios the upload targets are judged on, cell by cell (the targets name only the worst). */
function cellRatios(cfg: Config, r: Results): string[] {
  const columns = [
    uploadCells(cfg, r, cfg.bytes.sizes, 'mbps', 'SUT', 'P1'),
    uploadCells(cfg, r, cfg.bytes.sizes, 'mbps', 'SUT', 'B2'),
    uploadCells(cfg, r, cfg.bytes.sizes, 'cpuPerMB', 'SUT', 'B2'),
    uploadCells(cfg, r, cfg.bytes.sizes, 'mbps', 'SUT-R', 'SUT'),
  ];
  return [
    'Ratios per cell (medians):',
    '',
    table(
      ['cell', 'MB/s SUT / P1', 'MB/s SUT / B2', 'CPU/MB SUT / B2', 'MB/s SUT-R / SUT'],
      columns[0].map((cell, i) => [cell.name, ...columns.map((col) => fmt(col[i].value))]),
    ),
  ];
}

function slowSection(cfg: Config, r: Results): string[] {
  const c = cfg.slow;
  const rate = (c.chunk / 1024) * (1000 / c.intervalMs);
  return [
    `### 5. Slow clients (${c.uploads} uploads of ${sizeLabel(c.size)} at ${fmt(rate)} KiB/s beside ${c.fastClients} fast clients of ${sizeLabel(c.fastSize)}; OZ_MAX_CONCURRENCY=${c.limit} for SUT/SUT-R, upstream delay ${c.delayMs} ms)`,
    '',
    r.slow.length
      ? table(
          [
            'actor',
            'fast ok',
            'fast 503',
            'fast MB/s',
            'fast p50 ms',
            'fast p99 ms',
            'slow ok',
            'slow 503',
            'U: held by uploads still arriving',
            'U: in flight',
          ],
          r.slow.map((x) => [
            x.actor,
            String(x.fast.ok),
            String(x.fast.refused),
            fmt(x.fast.mbps),
            fmt(x.fast.p50),
            fmt(x.fast.p99),
            String(x.slow.ok),
            String(x.slow.refused),
            String(x.maxArriving),
            String(x.maxInFlight),
          ]),
        )
      : '(not measured)',
  ];
}
