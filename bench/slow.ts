/**
 * 5. Slow clients: uploads that trickle in (e.g. 2 MiB at 256 KiB/s, each on its own connection)
 * beside fast uploads sent back to back, with a small Oz limit and an upstream delay. What it
 * shows is U's view of "Oz slots held by uploads still arriving" (upstream.ts, `arriving`): a
 * proxy that forwards while the client sends gives an Oz slot to every slow upload for as long as
 * it trickles; the service, which buffers the whole container before it calls Oz, must give none.
 */
import { Readable } from 'node:stream';
import { Client } from 'undici';
import { Actor, ActorId, isService } from './actors';
import { PREFIX_BYTES } from './arrivals';
import { Body, checkUploadAnswer, createSessions, runUploads, UploadRun, upstreamCall, uploadPath, UploadTarget } from './load';
import { percentile } from './stats';
import { bodiesOf, checkUpstreamBytes, Ctx, merge, uploads, withActors } from './workloads';

export interface SlowRow {
  actor: ActorId;
  fast: { ok: number; refused: number; p50: number; p99: number; mbps: number };
  slow: { ok: number; refused: number; p50: number };
  /** U: most folder requests at once whose body was still arriving while its client was still sending it. */
  maxArriving: number;
  /** U: most folder requests in flight at once (started, not yet answered). */
  maxInFlight: number;
  /** U: most folder requests at once whose body had not fully arrived, whatever the client (raw, informational). */
  maxReceiving: number;
}

/** The actors this workload compares (B2 and D would add nothing: B2 buffers like the service, D has no slots). */
export const SLOW_ACTORS: readonly ActorId[] = ['SUT', 'SUT-R', 'B1', 'P1'];

interface SlowAnswer {
  status: number;
  ms: number;
  answer: Buffer;
  retryAfter: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One slow upload on a connection of its own: `chunk` bytes every `intervalMs`, on a fixed
 * schedule from the start. U is told that this body is being sent before the first byte, and that
 * its client has finished just before the last chunk is written. `onFirstChunk` is called once,
 * when the first chunk was written (or the upload ended without).
 */
export async function slowUpload(
  actor: Actor,
  upstreamUrl: string,
  body: Body,
  target: UploadTarget,
  pace: { chunk: number; intervalMs: number },
  onFirstChunk: () => void,
): Promise<SlowAnswer> {
  const client = new Client(actor.url, { bodyTimeout: 120_000, headersTimeout: 120_000 });
  const prefix = body.bytes.subarray(0, PREFIX_BYTES).toString('hex');
  let signalled = false;
  const firstChunkWritten = () => !signalled && (signalled = true) && onFirstChunk();
  let t0 = NaN;
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let i = 0, off = 0; off < body.bytes.length; i++, off += pace.chunk) {
      const wait = t0 + i * pace.intervalMs - performance.now();
      if (wait > 0) await sleep(wait);
      if (off + pace.chunk >= body.bytes.length) await upstreamCall(upstreamUrl, `/__sent?prefix=${prefix}`);
      yield body.bytes.subarray(off, off + pace.chunk);
      firstChunkWritten();
    }
  }
  try {
    await upstreamCall(upstreamUrl, `/__sending?prefix=${prefix}`);
    t0 = performance.now();
    const headers = { ...target.headers, 'content-length': String(body.bytes.length) };
    const res = await client.request({ path: target.path, method: 'POST', headers, body: Readable.from(chunks(), { objectMode: false }) });
    const answer = Buffer.from(await res.body.arrayBuffer());
    return { status: res.statusCode, ms: performance.now() - t0, answer, retryAfter: res.headers['retry-after'] !== undefined };
  } finally {
    firstChunkWritten();
    await client.close();
  }
}

/** Sessions enough for the fast clients: at most `limit` analyses per upstream delay succeed, a refusal keeps its session. */
export function fastSessionsNeeded(cfg: Ctx['cfg']['slow']): number {
  const sendMs = Math.ceil(cfg.size / cfg.chunk) * cfg.intervalMs;
  return cfg.fastClients + 2 * Math.ceil((cfg.limit * (sendMs + 3 * cfg.delayMs)) / cfg.delayMs);
}

export async function slowClients(ctx: Ctx): Promise<SlowRow[]> {
  const rows: SlowRow[] = [];
  for (const id of ctx.actors.filter((a) => SLOW_ACTORS.includes(a))) {
    const row = await withActors(ctx, [id], { OZ_MAX_CONCURRENCY: String(ctx.cfg.slow.limit) }, async ([actor]) => (actor ? slowRun(ctx, actor) : null));
    if (row) rows.push(row);
  }
  return rows;
}

async function slowRun(ctx: Ctx, actor: Actor): Promise<SlowRow> {
  const cfg = ctx.cfg.slow;
  const service = isService(actor.id);
  await upstreamCall(ctx.upstreamUrl, '/__config?delayMs=0');
  await uploads(ctx, actor, cfg.fastSize, 2, 4, 30_000); // warm the code paths; U is reset below
  const slowSessions = service ? await createSessions(actor, cfg.uploads) : [];
  const fastSessions = service ? await createSessions(actor, fastSessionsNeeded(cfg)) : [];
  await upstreamCall(ctx.upstreamUrl, '/__reset');
  await upstreamCall(ctx.upstreamUrl, `/__config?delayMs=${cfg.delayMs}`);
  const slowBodies = bodiesOf(cfg.size, actor.id, cfg.uploads);
  const slow = startSlowUploads(ctx, actor, slowBodies, uploadPath(actor, slowSessions));
  // The slow uploads are under way (and past the service's admission check) before the fast ones start.
  await slow.started;
  await sleep(200);
  let slowDone = false;
  void slow.settled.then(() => (slowDone = true));
  const fast = await runUploads(actor, bodiesOf(cfg.fastSize, actor.id), {
    concurrency: cfg.fastClients,
    count: Infinity,
    maxMs: 120_000,
    nextPath: uploadPath(actor, fastSessions),
    fullCheck: ctx.cfg.quick,
    refusalOk: service,
    stop: () => slowDone,
  });
  ctx.errors.push(...new Set(fast.errors));
  const judged = judgeSlowUploads(ctx, actor.id, await slow.settled, slowBodies);
  await upstreamCall(ctx.upstreamUrl, '/__config?delayMs=0');
  merge(judged.sent, fast.sent);
  const stats = await checkUpstreamBytes(ctx, new Map([[actor.id, judged.sent]]));
  checkSlots(ctx, actor.id, stats, judged.okMs.length);
  const row = {
    actor: actor.id,
    fast: fastFigures(fast),
    slow: { ok: judged.okMs.length, refused: judged.refused, p50: percentile(judged.okMs, 50) },
    maxArriving: stats.maxArriving,
    maxInFlight: stats.maxInFlight,
    maxReceiving: stats.maxReceiving,
  };
  ctx.log(
    `  slow ${actor.id}: U held ${row.maxArriving} still arriving (${row.maxInFlight} in flight); fast ${row.fast.ok} ok, ${row.fast.refused} refused, ${row.fast.mbps.toFixed(1)} MB/s; slow ${row.slow.ok} ok, ${row.slow.refused} refused`,
  );
  return row;
}

/** All slow uploads at once; `started` resolves when each has written its first chunk (or ended). */
function startSlowUploads(ctx: Ctx, actor: Actor, bodies: Body[], nextPath: () => UploadTarget) {
  let firstChunks = 0;
  let allStarted!: () => void;
  const started = new Promise<void>((r) => (allStarted = r));
  const counted = () => ++firstChunks === bodies.length && allStarted();
  const settled = Promise.allSettled(bodies.map((body) => slowUpload(actor, ctx.upstreamUrl, body, nextPath(), ctx.cfg.slow, counted)));
  return { started, settled };
}

/** Every slow upload answered correctly, or (the service only) was refused at its Oz limit with Retry-After. */
function judgeSlowUploads(ctx: Ctx, id: ActorId, settled: PromiseSettledResult<SlowAnswer>[], bodies: Body[]) {
  const sent: Record<string, number> = {};
  const okMs: number[] = [];
  let refused = 0;
  settled.forEach((s, i) => {
    if (s.status === 'rejected') return ctx.errors.push(`${id}: slow upload: ${(s.reason as Error).message}`);
    const { status, ms, answer, retryAfter } = s.value;
    if (status === 503 && isService(id)) {
      refused++;
      if (!retryAfter) ctx.errors.push(`${id}: slow upload refused with 503 without Retry-After`);
      return;
    }
    const err = checkUploadAnswer(id, status, answer, true);
    if (err) return ctx.errors.push(`${id}: slow upload: ${err}`);
    okMs.push(ms);
    merge(sent, { [bodies[i].sha256]: 1 });
  });
  return { sent, okMs, refused };
}

function fastFigures(run: UploadRun): SlowRow['fast'] {
  return {
    ok: run.ok,
    refused: run.statuses[503] ?? 0,
    p50: percentile(run.latenciesMs, 50),
    p99: percentile(run.latenciesMs, 99),
    mbps: run.bytes / 1e6 / run.elapsedS,
  };
}

/** The service's correctness here: no Oz slot for an upload still arriving, never more analyses than its limit. */
function checkSlots(ctx: Ctx, id: ActorId, stats: { maxArriving: number; maxInFlight: number }, slowAnalysed: number): void {
  if (!isService(id)) {
    if (id === 'B1' && stats.maxArriving === 0) ctx.log(`  !! ${id}: U counted no upload still arriving through a pipe proxy: is the counter broken?`);
    return;
  }
  if (stats.maxArriving > 0) ctx.errors.push(`${id}: U received ${stats.maxArriving} upload(s) at once while their clients were still sending them`);
  if (stats.maxInFlight > ctx.cfg.slow.limit) ctx.errors.push(`${id}: U saw ${stats.maxInFlight} analyses at once with a limit of ${ctx.cfg.slow.limit}`);
  // With fewer fast clients than slots (--quick), some slow upload must reach U, or the 0 above proved nothing.
  if (ctx.cfg.slow.fastClients < ctx.cfg.slow.limit && slowAnalysed === 0) ctx.errors.push(`${id}: no slow upload reached U although slots were free`);
}
