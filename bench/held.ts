/**
 * Workloads 3 and 4, where the upstream holds every analysis for a while: memory with many
 * uploads in flight, and overload at twice the service's Oz concurrency limit.
 */
import { ActorId, isService, rss, watchRss } from './actors';
import { createSessions, runUploads, upstreamCall, uploadPath } from './load';
import { percentile, summarize, Summary } from './stats';
import { bodiesOf, checkUpstreamBytes, Ctx, merge, uploads, withActors } from './workloads';

export interface MemoryRow {
  actor: ActorId;
  idle: Summary;
  peak: Summary;
  perUpload: Summary;
  maxInFlight: number;
}

/** 3. Memory: N uploads in flight at once, held by the upstream delay (SUT-R is not measured here). */
export async function memory(ctx: Ctx): Promise<MemoryRow[]> {
  const { uploads: n, size, delayMs, reps } = ctx.cfg.memory;
  const rows: MemoryRow[] = [];
  for (const id of ctx.actors.filter((a) => a !== 'D' && a !== 'SUT-R')) {
    const reps_: { idle: number; peak: number; maxInFlight: number }[] = [];
    for (let r = 0; r < reps; r++) {
      const one = await withActors(ctx, [id], {}, async ([actor]) => {
        if (!actor) return null;
        await upstreamCall(ctx.upstreamUrl, '/__config?delayMs=0');
        await upstreamCall(ctx.upstreamUrl, '/__reset');
        const sent: Record<string, number> = {};
        merge(sent, (await uploads(ctx, actor, size, 2, 4, 30_000)).sent); // warm the code paths
        const sessions = isService(actor.id) ? await createSessions(actor, n) : [];
        await upstreamCall(ctx.upstreamUrl, `/__config?delayMs=${delayMs}&hold=${n}`);
        await new Promise((res) => setTimeout(res, 200));
        const idle = rss(actor.pid).rss;
        const stop = watchRss(actor.pid);
        const run = await runUploads(actor, bodiesOf(size, id), {
          concurrency: n,
          count: n,
          maxMs: 60_000,
          nextPath: uploadPath(actor, sessions),
          fullCheck: ctx.cfg.quick,
        });
        const peak = stop();
        ctx.errors.push(...new Set(run.errors));
        merge(sent, run.sent);
        await upstreamCall(ctx.upstreamUrl, '/__config?delayMs=0');
        const stats = await checkUpstreamBytes(ctx, new Map([[id, sent]]));
        return { idle, peak, maxInFlight: stats.maxInFlight };
      });
      if (one) reps_.push(one);
    }
    if (!reps_.length) continue;
    const row = {
      actor: id,
      idle: summarize(reps_.map((x) => x.idle)),
      peak: summarize(reps_.map((x) => x.peak)),
      perUpload: summarize(reps_.map((x) => (x.peak - x.idle) / n)),
      maxInFlight: Math.min(...reps_.map((x) => x.maxInFlight)),
    };
    ctx.log(
      `  memory ${id}: peak ${(row.peak.median / 2 ** 20).toFixed(0)} MiB, ${(row.perUpload.median / 2 ** 20).toFixed(1)} MiB/upload, U saw ${row.maxInFlight} at once`,
    );
    rows.push(row);
  }
  return rows;
}

export interface OverloadResult {
  limit: number;
  arrivals: number;
  admitted: number;
  refused: number;
  refuseMs: Summary;
  refuseP99: number;
  admittedP99: number;
  unloadedP99: number;
  idleRss: number;
  peakRss: number;
  upstreamMaxInFlight: number;
}

/** 4. Overload (SUT only): waves of 2× the Oz concurrency limit, against waves at the limit. */
export async function overload(ctx: Ctx): Promise<OverloadResult | null> {
  const { limit, size, delayMs, waves } = ctx.cfg.overload;
  return withActors(ctx, ['SUT'], { OZ_MAX_CONCURRENCY: String(limit) }, async ([actor]) => {
    if (!actor) return null;
    await upstreamCall(ctx.upstreamUrl, '/__config?delayMs=0');
    await upstreamCall(ctx.upstreamUrl, '/__reset');
    const sent: Record<string, number> = {};
    merge(sent, (await uploads(ctx, actor, size, 2, 4, 30_000)).sent);
    await upstreamCall(ctx.upstreamUrl, `/__config?delayMs=${delayMs}`);
    const wave = async (n: number) => {
      const sessions = await createSessions(actor, n);
      const run = await runUploads(actor, bodiesOf(size, 'SUT'), {
        concurrency: n,
        count: n,
        maxMs: 60_000,
        nextPath: uploadPath(actor, sessions),
        fullCheck: ctx.cfg.quick,
        refusalOk: true,
      });
      ctx.errors.push(...new Set(run.errors));
      merge(sent, run.sent);
      return run;
    };
    const unloaded: number[] = [];
    for (let w = 0; w < waves; w++) unloaded.push(...(await wave(limit)).latenciesMs);
    const idleRss = rss(actor.pid).rss;
    const stop = watchRss(actor.pid);
    const admitted: number[] = [];
    const refused: number[] = [];
    for (let w = 0; w < waves; w++) {
      const run = await wave(2 * limit);
      admitted.push(...run.latenciesMs);
      for (const rec of run.records.filter((x) => x.status === 503)) {
        refused.push(rec.ms);
        if (!rec.retryAfter) ctx.errors.push('SUT: 503 without Retry-After');
      }
      if (run.ok > limit) ctx.errors.push(`SUT: admitted ${run.ok} of ${2 * limit} with a limit of ${limit}`);
    }
    const peakRss = stop();
    await upstreamCall(ctx.upstreamUrl, '/__config?delayMs=0');
    const stats = await checkUpstreamBytes(ctx, new Map([['SUT', sent]]));
    if (stats.maxInFlight > limit) ctx.errors.push(`SUT: U saw ${stats.maxInFlight} analyses at once with a limit of ${limit}`);
    if (refused.length === 0) ctx.errors.push('SUT: no request refused at 2× the concurrency limit');
    const result: OverloadResult = {
      limit,
      arrivals: 2 * limit * waves,
      admitted: admitted.length,
      refused: refused.length,
      refuseMs: summarize(refused),
      refuseP99: percentile(refused, 99),
      admittedP99: percentile(admitted, 99),
      unloadedP99: percentile(unloaded, 99),
      idleRss,
      peakRss,
      upstreamMaxInFlight: stats.maxInFlight,
    };
    ctx.log(
      `  overload: ${result.refused} refused (max ${result.refuseMs.max.toFixed(1)} ms), admitted p99 ${result.admittedP99.toFixed(0)} ms vs ${result.unloadedP99.toFixed(0)} ms`,
    );
    return result;
  });
}
