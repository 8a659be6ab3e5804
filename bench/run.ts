/**
 * `npm run bench [-- --quick]`: the service (SUT) between the limit of a Node hop (B1), best
 * practice without Nest (B2) and a hand-written Express + axios service (P1), all against the same
 * fake upstream U, with D (the client calling U directly) as the reference. See bench/RESULTS.md.
 *
 * --quick: a short version of every workload that asserts only correctness (every actor answered
 * correctly and U received exactly the bytes that were sent), never a timing. Either mode exits 1
 * on a correctness error. Options: --only=json,bytes,memory,overload,slow  --actors=D,B1,B2,SUT,SUT-R,P1
 * --sizes-kib=300,10240  --conc=1,8 (workload 2). `--only=capacity`: workload 6, three replicas on one
 * Redis sharing OZ_CAPACITY against U as a minimal Oz, beside v1.1's static split (capacity.ts). Env: BENCH_SUT_MAIN, BENCH_SUT_NODE_ARGS (actors.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ActorId, isService, startUpstream, stopActor, SUT_MAIN, sutBuilt, transpileBaselines } from './actors';
import { machine, markdown, Results } from './report';
import { evaluateTargets } from './targets';
import { capacityMarkdown, capacityWorkload } from './capacity';
import { memory, overload } from './held';
import { slowClients } from './slow';
import { bytes, Config, Ctx, smallJson } from './workloads';

const KiB = 1024;
const MiB = 1024 * KiB;

export const FULL: Config = {
  quick: false,
  json: { connections: 100, warmS: 1, durS: 2, reps: 3 },
  bytes: { sizes: [300 * KiB, 2 * MiB, 10 * MiB], concurrencies: [1, 8, 32], reps: 3, budgetBytes: 40 * MiB, maxRunMs: 1500 },
  memory: { uploads: 64, size: 10 * MiB, delayMs: 3000, reps: 2 },
  overload: { limit: 4, size: 2 * MiB, delayMs: 3000, waves: 3 },
  slow: { uploads: 16, size: 2 * MiB, chunk: 32 * KiB, intervalMs: 125, fastClients: 8, fastSize: 2 * MiB, limit: 4, delayMs: 1000 },
  // A minimal Oz: 3 at once, about 1 s each; 4 a second is a third more than it can take.
  capacity: { capacity: 3, replicas: 3, analysisMs: 1000, steadyPerS: 4, steadyS: 10, bodyBytes: 64 * KiB },
};

export const QUICK: Config = {
  quick: true,
  json: { connections: 10, warmS: 0, durS: 1, reps: 1 },
  bytes: { sizes: [64 * KiB, 2 * MiB], concurrencies: [4], reps: 1, budgetBytes: 1, maxRunMs: 10_000 },
  memory: { uploads: 8, size: 1 * MiB, delayMs: 300, reps: 1 },
  overload: { limit: 4, size: 256 * KiB, delayMs: 300, waves: 1 },
  // Fewer fast clients than slots, so that slow uploads reach U and the service's 0 means something.
  slow: { uploads: 4, size: 256 * KiB, chunk: 32 * KiB, intervalMs: 125, fastClients: 2, fastSize: 256 * KiB, limit: 4, delayMs: 300 },
  capacity: { capacity: 3, replicas: 3, analysisMs: 200, steadyPerS: 20, steadyS: 1, bodyBytes: 16 * KiB },
};

function arg(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

async function main(): Promise<number> {
  const started = Date.now();
  const base = process.argv.includes('--quick') ? QUICK : FULL;
  const list = (v: string | undefined, unit: number) => v?.split(',').map((x) => Number(x) * unit);
  const cfg: Config = {
    ...base,
    bytes: { ...base.bytes, sizes: list(arg('sizes-kib'), KiB) ?? base.bytes.sizes, concurrencies: list(arg('conc'), 1) ?? base.bytes.concurrencies },
  };
  const only = new Set((arg('only') ?? 'json,bytes,memory,overload,slow,capacity').split(','));
  let actors = (arg('actors') ?? 'D,B1,B2,SUT,SUT-R,P1').split(',') as ActorId[];
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const warnings: string[] = [];
  if (actors.some(isService) && !sutBuilt()) {
    const msg = `SUT and SUT-R SKIPPED: ${path.relative(process.cwd(), SUT_MAIN)} is missing (run \`npm run build\`); the service was NOT measured`;
    warnings.push(msg);
    log(`!! ${msg}`);
    actors = actors.filter((a) => !isService(a));
  }
  log(`bench ${cfg.quick ? '--quick' : '(full)'}: actors ${actors.join(', ')}; workloads ${[...only].join(', ')}`);
  transpileBaselines();
  const upstream = await startUpstream();
  const ctx: Ctx = { cfg, upstreamUrl: upstream.url, actors, errors: [], log };
  const results: Results = { json: [], bytes: [], memory: [], overload: null, slow: [], capacity: [] };
  try {
    if (only.has('json')) {
      log('1. small JSON');
      results.json = await smallJson(ctx);
    }
    if (only.has('bytes')) {
      log('2. bytes');
      results.bytes = await bytes(ctx);
    }
    if (only.has('memory')) {
      log('3. memory');
      results.memory = await memory(ctx);
    }
    if (only.has('overload') && actors.includes('SUT')) {
      log('4. overload');
      results.overload = await overload(ctx);
    }
    if (only.has('slow')) {
      log('5. slow clients');
      results.slow = await slowClients(ctx);
    }
    if (only.has('capacity') && actors.includes('SUT')) {
      log('6. Oz capacity');
      results.capacity = await capacityWorkload(ctx);
    }
  } finally {
    await stopActor(upstream);
  }

  const errors = [...new Set(ctx.errors)];
  const targets = evaluateTargets(cfg, results);
  const m = machine();
  const md = [markdown(cfg, results, targets, m, errors), ...(results.capacity.length ? ['', capacityMarkdown(cfg.capacity, results.capacity)] : [])].join(
    '\n',
  );
  log(`\n${md}\n`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${stamp}${cfg.quick ? '-quick' : ''}.json`);
  const durationS = (Date.now() - started) / 1000;
  writeFileSync(file, JSON.stringify({ when: new Date().toISOString(), durationS, config: cfg, machine: m, results, targets, errors, warnings }, null, 2));
  writeFileSync(file.replace(/\.json$/, '.md'), `${md}\n`);
  log(`written ${path.relative(process.cwd(), file)} (and .md) in ${durationS.toFixed(0)} s`);
  for (const w of warnings) log(`!! ${w}`);
  if (errors.length) {
    log(`FAILED: ${errors.length} correctness error(s)`);
    return 1;
  }
  if (cfg.quick)
    log(
      'quick: every actor answered correctly, U received identical bytes and no service call held an Oz slot for an upload still arriving (timings are not asserted)',
    );
  else {
    const counted = targets.filter((t) => !t.informational);
    log(`targets: ${counted.filter((t) => t.pass).length}/${counted.length} met`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
