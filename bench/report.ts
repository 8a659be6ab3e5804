/**
 * Targets (issue 4) and the Markdown report printed to the console and written next to the JSON.
 */
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './actors';
import { addedLatencyScore, fmt, fmtSummary, ratio, target, TargetResult } from './stats';
import type { MemoryRow, OverloadResult } from './held';
import type { BytesRow, Config, JsonRow } from './workloads';

export interface Results {
  json: JsonRow[];
  bytes: BytesRow[];
  memory: MemoryRow[];
  overload: OverloadResult | null;
}

const MiB = 2 ** 20;
const sizeLabel = (n: number) => (n >= MiB ? `${fmt(n / MiB)} MiB` : `${fmt(n / 1024)} KiB`);

/** The cell the throughput targets use: the largest size, at concurrency 8 when measured. */
export function keyCell(cfg: Config): { size: number; conc: number; latencyConc: number } {
  const cs = cfg.bytes.concurrencies;
  return { size: Math.max(...cfg.bytes.sizes), conc: cs.includes(8) ? 8 : Math.max(...cs), latencyConc: Math.min(...cs) };
}

export function evaluateTargets(cfg: Config, r: Results): TargetResult[] {
  const { size, conc, latencyConc } = keyCell(cfg);
  const json = (a: string) => r.json.find((x) => x.actor === a)?.rps.median ?? NaN;
  const cell = (a: string, c = conc) => r.bytes.find((x) => x.actor === a && x.size === size && x.concurrency === c);
  const mbps = (a: string) => cell(a)?.mbps.median ?? NaN;
  const mem = (a: string) => r.memory.find((x) => x.actor === a);
  const added = (a: string) => (cell(a, latencyConc)?.p99.median ?? NaN) - (cell('D', latencyConc)?.p99.median ?? NaN);
  const cpu = (a: string) => cell(a)?.cpuPerMB.median ?? NaN;
  const sz = sizeLabel(size);
  const ov = r.overload;
  return [
    target('small JSON req/s, SUT / B2', ratio(json('SUT'), json('B2')), '>=', 0.7, `SUT ${fmt(json('SUT'))} / B2 ${fmt(json('B2'))} req/s`),
    target(`${sz} MB/s at c=${conc}, SUT / B1`, ratio(mbps('SUT'), mbps('B1')), '>=', 0.8, `SUT ${fmt(mbps('SUT'))} / B1 ${fmt(mbps('B1'))} MB/s`),
    target(
      `${sz} added p99 at c=${latencyConc}, SUT / allowance (max(1.25× B1, B1 + 5 ms))`,
      addedLatencyScore(added('SUT'), added('B1'), 1.25, 5),
      '<=',
      1,
      `SUT +${fmt(added('SUT'))} ms, B1 +${fmt(added('B1'))} ms over D`,
    ),
    target(
      `CPU per MB (${sz}, c=${conc}), SUT / B1`,
      ratio(cpu('SUT'), cpu('B1')),
      '<=',
      1.3,
      `SUT ${fmt(cpu('SUT') * 1000)} / B1 ${fmt(cpu('B1') * 1000)} CPU ms/MB`,
    ),
    target(
      `RSS per in-flight ${sizeLabel(cfg.memory.size)} upload, × body`,
      ratio(mem('SUT')?.perUpload.median ?? NaN, cfg.memory.size),
      '<=',
      1.5,
      `SUT ${fmt((mem('SUT')?.perUpload.median ?? NaN) / MiB)} MiB per upload`,
    ),
    target(`${sz} MB/s at c=${conc}, SUT / P1`, ratio(mbps('SUT'), mbps('P1')), '>=', 2, `SUT ${fmt(mbps('SUT'))} / P1 ${fmt(mbps('P1'))} MB/s`),
    target(
      `peak RSS with ${cfg.memory.uploads} uploads in flight, SUT / P1`,
      ratio(mem('SUT')?.peak.median ?? NaN, mem('P1')?.peak.median ?? NaN),
      '<=',
      0.5,
      `SUT ${fmt((mem('SUT')?.peak.median ?? NaN) / MiB)} / P1 ${fmt((mem('P1')?.peak.median ?? NaN) / MiB)} MiB`,
    ),
    target(
      'overload: slowest refusal (ms)',
      ov ? ov.refuseMs.max : NaN,
      '<=',
      50,
      ov ? `${ov.refused} of ${ov.arrivals} refused, median ${fmt(ov.refuseMs.median)} ms` : 'not measured',
    ),
    target(
      'overload: admitted p99 / unloaded p99',
      ov ? ratio(ov.admittedP99, ov.unloadedP99) : NaN,
      '<=',
      1.2,
      ov ? `${fmt(ov.admittedP99)} / ${fmt(ov.unloadedP99)} ms` : 'not measured',
    ),
  ];
}

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
  out.push('', cfg.quick ? '### Targets (tiny sizes, not asserted in --quick)' : '### Targets', '');
  out.push(
    table(
      ['figure', 'value', 'target', '', 'from'],
      targets.map((t) => [t.figure, fmt(t.value), `${t.comparison} ${t.target}`, t.pass ? 'pass' : '**miss**', t.detail]),
    ),
  );
  if (errors.length) out.push('', '### Correctness errors', '', ...errors.slice(0, 50).map((e) => `- ${e}`));
  return out.join('\n');
}
