/**
 * The workloads of issue 4 (1–2 here, 3–4 in held.ts, slow clients in slow.ts). The actors get fresh processes per measured cell (so one
 * cell's garbage, sessions or best shots never weigh on the next), a warm-up, then `reps`
 * measured runs. Every answer is checked and U's byte hashes are compared after every cell.
 */
import { Actor, ActorId, cpuSeconds, isService, startActor, stopActor } from './actors';
import { Body, checkSmallJson, compareBytes, createSessions, makeBodies, runSmallJson, runUploads, upstreamCall, uploadPath, UploadRun } from './load';
import type { CapacityConfig } from './capacity';
import type { UpstreamStats } from './upstream';
import { percentile, summarize, Summary } from './stats';

export interface Config {
  quick: boolean;
  json: { connections: number; warmS: number; durS: number; reps: number };
  bytes: { sizes: number[]; concurrencies: number[]; reps: number; budgetBytes: number; maxRunMs: number };
  memory: { uploads: number; size: number; delayMs: number; reps: number };
  overload: { limit: number; size: number; delayMs: number; waves: number };
  /** `uploads` slow clients send `size` bytes in `chunk`s every `intervalMs`, beside `fastClients` sending `fastSize` back to back. */
  slow: { uploads: number; size: number; chunk: number; intervalMs: number; fastClients: number; fastSize: number; limit: number; delayMs: number };
  capacity: CapacityConfig;
}

export interface Ctx {
  cfg: Config;
  upstreamUrl: string;
  actors: ActorId[];
  errors: string[];
  log: (line: string) => void;
}

const MB = 1e6;
/** Each actor sends its own random bodies, so U's hashes tell whose bytes arrived (or were altered). */
const bodyCache = new Map<string, Body[]>();
export const bodiesOf = (size: number, id: ActorId, variants = 2): Body[] => {
  const key = `${size}x${variants}:${id}`;
  if (!bodyCache.has(key)) bodyCache.set(key, makeBodies(size, variants));
  return bodyCache.get(key)!;
};
const hashesOf = (id?: ActorId) => new Set([...bodyCache].filter(([k]) => !id || k.endsWith(`:${id}`)).flatMap(([, b]) => b.map((x) => x.sha256)));

/** Compares what U received since the last reset with what each actor had acknowledged. */
export async function checkUpstreamBytes(ctx: Ctx, sentBy: Map<ActorId, Record<string, number>>): Promise<UpstreamStats> {
  const got = await upstreamCall(ctx.upstreamUrl, '/__stats', 'GET');
  for (const [id, sent] of sentBy) {
    const mine = hashesOf(id);
    const hashes = Object.fromEntries(Object.entries(got.hashes).filter(([h]) => mine.has(h)));
    ctx.errors.push(...compareBytes(id, sent, { ...got, hashes }, mine));
  }
  ctx.errors.push(...compareBytes([...sentBy.keys()].join('/'), {}, got, hashesOf()));
  return got;
}

export async function withActors<T>(ctx: Ctx, ids: ActorId[], sutEnv: Record<string, string>, fn: (a: Actor[]) => Promise<T>): Promise<T | null> {
  const actors: Actor[] = [];
  try {
    for (const id of ids) {
      try {
        actors.push(await startActor(id, ctx.upstreamUrl, sutEnv));
      } catch (e) {
        ctx.errors.push(`${id}: ${(e as Error).message}`);
      }
    }
    return await fn(actors);
  } catch (e) {
    ctx.errors.push(`${ids.join('/')}: ${(e as Error).message}`);
    return null;
  } finally {
    for (const a of actors) await stopActor(a);
  }
}

/** One checked upload run; the SUT's sessions are created before it (one container per session). */
export async function uploads(
  ctx: Ctx,
  actor: Actor,
  size: number,
  concurrency: number,
  count: number,
  maxMs: number,
  onStart?: () => void,
): Promise<UploadRun> {
  const sessions = isService(actor.id) ? await createSessions(actor, count) : [];
  onStart?.();
  const run = await runUploads(actor, bodiesOf(size, actor.id), { concurrency, count, maxMs, nextPath: uploadPath(actor, sessions), fullCheck: ctx.cfg.quick });
  ctx.errors.push(...new Set(run.errors));
  return run;
}

export const merge = (into: Record<string, number>, from: Record<string, number>) => {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
};

export interface JsonRow {
  actor: ActorId;
  rps: Summary;
  p50: Summary;
  p99: Summary;
}

/**
 * 1. Small JSON: the session-token path at fixed concurrency, no upstream delay. All actors run
 * side by side and the repetitions are interleaved, so slow drifts of a noisy machine hit all alike.
 */
export async function smallJson(ctx: Ctx): Promise<JsonRow[]> {
  const { connections, warmS, durS, reps } = ctx.cfg.json;
  await upstreamCall(ctx.upstreamUrl, '/__config?delayMs=0');
  return (
    (await withActors(ctx, ctx.actors, {}, async (actors) => {
      const runs = new Map(actors.map((a) => [a.id, [] as Awaited<ReturnType<typeof runSmallJson>>[]]));
      for (const actor of actors) {
        const bad = await checkSmallJson(actor);
        if (bad) ctx.errors.push(bad);
        if (warmS > 0) await runSmallJson(actor, connections, warmS);
      }
      for (let r = 0; r < reps; r++) {
        for (const actor of actors) {
          const run = await runSmallJson(actor, connections, durS);
          if (run.non2xx || run.errors || run.ok === 0) ctx.errors.push(`${actor.id}: small JSON: ${run.non2xx} non-2xx, ${run.errors} errors, ${run.ok} ok`);
          runs.get(actor.id)!.push(run);
        }
      }
      return actors.map(({ id }) => {
        const rs = runs.get(id)!;
        ctx.log(`  json ${id}: ${rs.map((x) => x.rps.toFixed(0)).join(' ')} req/s`);
        return { actor: id, rps: summarize(rs.map((x) => x.rps)), p50: summarize(rs.map((x) => x.p50)), p99: summarize(rs.map((x) => x.p99)) };
      });
    })) ?? []
  );
}

export interface BytesRow {
  actor: ActorId;
  size: number;
  concurrency: number;
  mbps: Summary;
  p50: Summary;
  p99: Summary;
  cpuPerMB: Summary;
  requests: number;
}

/** 2. Bytes: uploads of each size at each concurrency, no upstream delay; repetitions interleaved. */
export async function bytes(ctx: Ctx): Promise<BytesRow[]> {
  const { sizes, concurrencies, reps, budgetBytes, maxRunMs } = ctx.cfg.bytes;
  await upstreamCall(ctx.upstreamUrl, '/__config?delayMs=0');
  const rows: BytesRow[] = [];
  for (const size of sizes) {
    for (const concurrency of concurrencies) {
      const count = Math.max(Math.ceil(budgetBytes / size), 3 * concurrency, ctx.cfg.quick ? 1 : 10);
      const cell = await withActors(ctx, ctx.actors, {}, async (actors) => {
        await upstreamCall(ctx.upstreamUrl, '/__reset');
        const sent = new Map(actors.map((a) => [a.id, {}]));
        const runs = new Map(actors.map((a) => [a.id, [] as { run: UploadRun; cpu: number }[]]));
        if (!ctx.cfg.quick) {
          for (const a of actors) merge(sent.get(a.id)!, (await uploads(ctx, a, size, concurrency, Math.max(2 * concurrency, count >> 2), maxRunMs / 2)).sent);
        }
        for (let r = 0; r < reps; r++) {
          for (const actor of actors) {
            let cpu0 = NaN;
            const run = await uploads(ctx, actor, size, concurrency, count, maxRunMs, () => (cpu0 = cpuSeconds(actor.pid)));
            runs.get(actor.id)!.push({ run, cpu: cpuSeconds(actor.pid) - cpu0 });
            merge(sent.get(actor.id)!, run.sent);
          }
        }
        await checkUpstreamBytes(ctx, sent);
        return actors.map(({ id }) => {
          const rs = runs.get(id)!;
          const mbps = summarize(rs.map(({ run }) => run.bytes / MB / run.elapsedS));
          ctx.log(`  bytes ${(size / 2 ** 20).toFixed(1)} MiB c=${concurrency} ${id}: ${mbps.median.toFixed(0)} MB/s, ${rs[0].run.ok} req/run`);
          return {
            actor: id,
            size,
            concurrency,
            mbps,
            requests: rs.reduce((n, { run }) => n + run.ok, 0),
            p50: summarize(rs.map(({ run }) => percentile(run.latenciesMs, 50))),
            p99: summarize(rs.map(({ run }) => percentile(run.latenciesMs, 99))),
            cpuPerMB: summarize(rs.map(({ run, cpu }) => cpu / (run.bytes / MB))),
          };
        });
      });
      rows.push(...(cell ?? []));
    }
  }
  return rows;
}
