/**
 * Workload 6 (issue 21): one Oz capacity for three replicas. U behaves like a minimal Oz API
 * Instant (at most `capacity` analyses at once, `analysisMs` each, a call past them refused with
 * 503). Three services on one redis-server take a burst of 3 × capacity × replicas uploads at
 * once, then a steady overload (`steadyPerS` uploads a second for `steadyS` s, more than U can
 * do), twice: with OZ_CAPACITY (v1.2: one queue for the deployment) and with v1.1's static split
 * (OZ_MAX_CONCURRENCY=1 per replica, no OZ_CAPACITY). Clients behave well: a 503 is retried after
 * its Retry-After on the next replica (a load balancer's round robin), on the same session.
 *
 * Figures: the most calls U handled at once (must be ≤ capacity), U's utilisation while work
 * waited (busy slot-seconds / (capacity × the time from the first upload to the last call's
 * start)), and each upload's wait (its call's start at U − when the client first sent it).
 */
import { createHash, randomBytes } from 'node:crypto';
import { Actor, startActor, stopActor } from './actors';
import { upstreamCall } from './load';
import { fmt, percentile } from './stats';
import { type RedisServer, startRedisServer } from '../test/support/redis-server';
import { sharedStateEnv } from '../test/support/replica-env';
import type { Ctx } from './workloads';

export interface CapacityConfig {
  capacity: number;
  replicas: number;
  analysisMs: number;
  steadyPerS: number;
  steadyS: number;
  bodyBytes: number;
}

export type CapacityMode = 'OZ_CAPACITY' | 'static split';

export interface CapacityRow {
  mode: CapacityMode;
  uploads: number;
  completed: number;
  /** 503s the clients got and retried (the static split refuses at once; OZ_CAPACITY only past its queue timeout). */
  clientRetries: number;
  mostAtUpstream: number;
  refusedByUpstream: number;
  utilisation: number;
  waitP50Ms: number;
  waitP99Ms: number;
  elapsedS: number;
}

interface Job {
  sessionId: string;
  token: string;
  body: Buffer;
  sha256: string;
  /** Offset from the start of the run at which the client sends it first. */
  atMs: number;
  firstSentAt: number;
  status: number;
  retries: number;
}

const MODES: Record<CapacityMode, (cfg: CapacityConfig) => Record<string, string>> = {
  // A queue timeout long enough that the backlog of this workload never times out: the waits are measured whole.
  OZ_CAPACITY: (cfg) => ({ OZ_CAPACITY: String(cfg.capacity), OZ_QUEUE_TIMEOUT_MS: '60000' }),
  'static split': (cfg) => ({ OZ_MAX_CONCURRENCY: String(Math.max(1, Math.floor(cfg.capacity / cfg.replicas))) }),
};
const GIVE_UP_MS = 120_000;

export async function capacityWorkload(ctx: Ctx): Promise<CapacityRow[]> {
  const cfg = ctx.cfg.capacity;
  const rows: CapacityRow[] = [];
  for (const mode of Object.keys(MODES) as CapacityMode[]) {
    const row = await runMode(ctx, cfg, mode);
    if (!row) continue;
    ctx.log(
      `  capacity ${mode}: ${row.completed}/${row.uploads} answered, U saw ${row.mostAtUpstream} at once (capacity ${cfg.capacity}), ` +
        `utilisation ${fmt(row.utilisation)}, wait p50 ${fmt(row.waitP50Ms)} ms p99 ${fmt(row.waitP99Ms)} ms, ${row.clientRetries} retries`,
    );
    if (row.mostAtUpstream > cfg.capacity) ctx.errors.push(`capacity ${mode}: U saw ${row.mostAtUpstream} analyses at once, over ${cfg.capacity}`);
    if (row.completed !== row.uploads) ctx.errors.push(`capacity ${mode}: ${row.uploads - row.completed} uploads never answered 201`);
    rows.push(row);
  }
  return rows;
}

async function runMode(ctx: Ctx, cfg: CapacityConfig, mode: CapacityMode): Promise<CapacityRow | null> {
  const redis: RedisServer = await startRedisServer();
  const replicas: Actor[] = [];
  try {
    const env = { ...sharedStateEnv(redis.url), LOG_LEVEL: 'warn', ...MODES[mode](cfg) };
    for (let i = 0; i < cfg.replicas; i++) replicas.push(await startActor('SUT', ctx.upstreamUrl, env));
    await upstreamCall(ctx.upstreamUrl, `/__config?delayMs=${cfg.analysisMs}&hold=0&capacity=${cfg.capacity}`);
    await upstreamCall(ctx.upstreamUrl, '/__reset');
    const jobs = await prepareJobs(cfg, replicas);
    const t0 = Date.now();
    await Promise.all(jobs.map((job, i) => runJob(job, replicas, i, t0)));
    const elapsedS = (Date.now() - t0) / 1000;
    const stats = await upstreamCall(ctx.upstreamUrl, '/__stats', 'GET');
    return summarise(cfg, mode, jobs, stats, elapsedS);
  } catch (error) {
    ctx.errors.push(`capacity ${mode}: ${(error as Error).message}`);
    return null;
  } finally {
    await upstreamCall(ctx.upstreamUrl, '/__config?delayMs=0');
    for (const replica of replicas) await stopActor(replica);
    await redis.stop();
  }
}

/** Sessions made before the clock starts (spread over the replicas), a body of its own for each upload. */
async function prepareJobs(cfg: CapacityConfig, replicas: Actor[]): Promise<Job[]> {
  const burst = 3 * cfg.capacity * cfg.replicas;
  const steady = Math.round(cfg.steadyPerS * cfg.steadyS);
  const offsets = [...Array<number>(burst).fill(0), ...Array.from({ length: steady }, (_, i) => ((i + 1) * 1000) / cfg.steadyPerS)];
  return Promise.all(
    offsets.map(async (atMs, i) => {
      const res = await fetch(`${replicas[i % replicas.length].url}/v1/sessions`, { method: 'POST' });
      const session = (await res.json()) as { sessionId: string; sessionToken: string };
      if (res.status !== 201) throw new Error(`POST /v1/sessions answered ${res.status}`);
      const body = randomBytes(cfg.bodyBytes);
      const sha256 = createHash('sha256').update(body).digest('hex');
      return { sessionId: session.sessionId, token: session.sessionToken, body, sha256, atMs, firstSentAt: 0, status: 0, retries: 0 };
    }),
  );
}

/** Sends at its time, and after a 503 again after Retry-After on the next replica, until a 201 (or two minutes). */
async function runJob(job: Job, replicas: Actor[], index: number, t0: number): Promise<void> {
  await sleep(t0 + job.atMs - Date.now());
  job.firstSentAt = Date.now();
  for (let attempt = 0; Date.now() - job.firstSentAt < GIVE_UP_MS; attempt++) {
    const replica = replicas[(index + attempt) % replicas.length];
    const res = await fetch(`${replica.url}/v1/sessions/${job.sessionId}/liveness`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${job.token}` },
      body: job.body,
    }).catch(() => null);
    await res?.arrayBuffer().catch(() => undefined);
    job.status = res?.status ?? 0;
    if (job.status !== 503) return;
    job.retries += 1;
    await sleep(Number(res?.headers.get('retry-after') ?? '1') * 1000);
  }
}

function summarise(
  cfg: CapacityConfig,
  mode: CapacityMode,
  jobs: Job[],
  stats: { maxInFlight: number; refused: number; calls: { start: number; end: number; sha256: string }[] },
  elapsedS: number,
): CapacityRow {
  const startOf = new Map(stats.calls.map((call) => [call.sha256, call.start]));
  const waits = jobs.filter((job) => startOf.has(job.sha256)).map((job) => (startOf.get(job.sha256) as number) - job.firstSentAt);
  // While work waits: from the first upload to the start of the last call (after it nothing waits).
  const from = Math.min(...jobs.map((job) => job.firstSentAt));
  const until = Math.max(...stats.calls.map((call) => call.start));
  const busy = stats.calls.reduce((sum, call) => sum + Math.max(0, Math.min(call.end, until) - Math.max(call.start, from)), 0);
  return {
    mode,
    uploads: jobs.length,
    completed: jobs.filter((job) => job.status === 201).length,
    clientRetries: jobs.reduce((sum, job) => sum + job.retries, 0),
    mostAtUpstream: stats.maxInFlight,
    refusedByUpstream: stats.refused,
    utilisation: until > from ? busy / (cfg.capacity * (until - from)) : NaN,
    waitP50Ms: percentile(waits, 50),
    waitP99Ms: percentile(waits, 99),
    elapsedS,
  };
}

/** The report's section. */
export function capacityMarkdown(cfg: CapacityConfig, rows: CapacityRow[]): string {
  const burst = 3 * cfg.capacity * cfg.replicas;
  const head = [
    'mode',
    'uploads',
    'answered 201',
    'most at U (≤ capacity)',
    'refused by U',
    'utilisation while work waits (≥ 0.95)',
    'wait p50 ms',
    'wait p99 ms',
    'client retries',
    'run s',
  ];
  const lines = rows.map((r) =>
    [
      r.mode,
      String(r.uploads),
      String(r.completed),
      `${r.mostAtUpstream} / ${cfg.capacity}`,
      String(r.refusedByUpstream),
      fmt(r.utilisation),
      fmt(r.waitP50Ms),
      fmt(r.waitP99Ms),
      String(r.clientRetries),
      fmt(r.elapsedS),
    ].join(' | '),
  );
  return [
    `### 6. Oz capacity (${cfg.replicas} replicas on one Redis; U: capacity ${cfg.capacity}, ${cfg.analysisMs} ms an analysis; burst ${burst}, then ${cfg.steadyPerS}/s for ${cfg.steadyS} s)`,
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...lines.map((line) => `| ${line} |`),
  ].join('\n');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
