/**
 * Starting and watching the actors' processes: U, the baselines (transpiled once to plain JS so
 * that no TypeScript loader sits in their memory or CPU figures — the SUT runs from dist/ too),
 * and the SUT (SUT-R: the same build on a redis-server of its own). CPU and RSS are read from
 * /proc/<pid>, so they are the actor's own figures (SUT-R's exclude its Redis).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import ts from 'typescript';
import { type RedisServer, startRedisServer } from '../test/support/redis-server';
import { sharedStateEnv } from '../test/support/replica-env';

export const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(__dirname, '.out');
const CLK_TCK = 100;

export type ActorId = 'D' | 'B1' | 'B2' | 'SUT' | 'SUT-R' | 'P1';

/** The service itself, with the in-memory store (SUT) or with Redis (SUT-R): sessions, tokens and paths of its API. */
export const isService = (id: ActorId): boolean => id === 'SUT' || id === 'SUT-R';

export interface Actor {
  id: ActorId;
  url: string;
  pid: number | null;
  proc: ChildProcess | null;
  /** Path of the small-JSON route and of the upload route (given a session id for the SUT). */
  tokenPath: string;
  tokenMethod: 'GET' | 'POST';
  /** SUT-R's redis-server, stopped with the actor. */
  redis?: RedisServer;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** Transpiles bench/baselines/*.ts and bench/upstream.ts (with arrivals.ts) to bench/.out/ (CommonJS). */
export function transpileBaselines(): void {
  const files = readdirSync(path.join(__dirname, 'baselines'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `baselines/${f}`);
  for (const rel of [...files, 'upstream.ts', 'arrivals.ts']) {
    const src = readFileSync(path.join(__dirname, rel), 'utf8');
    const out = ts.transpileModule(src, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    const dest = path.join(OUT, rel.replace(/\.ts$/, '.js'));
    mkdirSync(path.dirname(dest), { recursive: true });
    writeFileSync(dest, out.outputText);
  }
}

/** The service's entry: dist/main.js, or BENCH_SUT_MAIN (a build elsewhere, for profiling or comparing). */
export const SUT_MAIN = path.resolve(ROOT, process.env.BENCH_SUT_MAIN ?? 'dist/main.js');
export const sutBuilt = (): boolean => existsSync(SUT_MAIN);
/** Extra node flags for the SUT, e.g. BENCH_SUT_NODE_ARGS=--cpu-prof. */
const SUT_ARGS = (process.env.BENCH_SUT_NODE_ARGS ?? '').split(' ').filter(Boolean);
/** The same for the baselines B1, B2 and P1 (to profile B2 against the SUT). */
const BASELINE_ARGS = (process.env.BENCH_BASELINE_NODE_ARGS ?? '').split(' ').filter(Boolean);

async function waitReady(url: string, proc: ChildProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  proc.once('exit', () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${url}: process exited before it was ready`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms`);
}

function startProcess(args: string[], env: Record<string, string>, logName: string): ChildProcess {
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const errs: Buffer[] = [];
  proc.stderr?.on('data', (c: Buffer) => errs.length < 50 && errs.push(c));
  proc.on('exit', (code, sig) => {
    if (code && code !== 0) process.stderr.write(`[${logName}] exited ${code} ${sig ?? ''}: ${Buffer.concat(errs).toString().slice(0, 2000)}\n`);
  });
  return proc;
}

export async function startUpstream(): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort();
  const proc = startProcess([path.join(OUT, 'upstream.js')], { PORT: String(port) }, 'U');
  const url = `http://127.0.0.1:${port}`;
  await waitReady(`${url}/__stats`, proc);
  return { url, proc };
}

const BASELINE_FILES: Record<string, string> = { B1: 'b1-pipe-proxy.js', B2: 'b2-fastify-undici.js', P1: 'p1-express-axios.js' };

/** Starts one actor on a free port; D is U itself (no process of its own). */
export async function startActor(id: ActorId, upstreamUrl: string, sutEnv: Record<string, string> = {}): Promise<Actor> {
  if (id === 'D') {
    return { id, url: upstreamUrl, pid: null, proc: null, tokenPath: '/api/authorize/session_token', tokenMethod: 'GET' };
  }
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const base = { PORT: String(port), OZ_API_URL: upstreamUrl, NODE_ENV: 'production' };
  if (isService(id)) {
    // No rate limits: the load comes from one address by design. Metrics on a free port. The upload
    // budget fits the memory workload's 64 uploads of 10 MiB (the default 256 MiB would refuse most).
    const limits = {
      RATE_LIMIT_SESSIONS_PER_MINUTE: '0',
      RATE_LIMIT_SUBJECT_SESSIONS_PER_HOUR: '0',
      METRICS_PORT: '0',
      MAX_INFLIGHT_UPLOAD_BYTES: String(2 ** 31),
    };
    const redis = id === 'SUT-R' ? await startRedisServer() : undefined;
    const shared = redis ? sharedStateEnv(redis.url) : {};
    const env = { ...base, LOG_LEVEL: 'info', OZ_MAX_CONCURRENCY: '256', INTERNAL_API_KEYS: 'bench-key', ...limits, ...shared, ...sutEnv };
    const proc = startProcess([...SUT_ARGS, SUT_MAIN], env, id);
    try {
      await waitReady(`${url}/health/ready`, proc);
    } catch (e) {
      proc.kill('SIGKILL');
      await redis?.stop();
      throw e;
    }
    return { id, url, pid: proc.pid ?? null, proc, tokenPath: '/v1/sessions', tokenMethod: 'POST', redis };
  }
  const proc = startProcess([...BASELINE_ARGS, path.join(OUT, 'baselines', BASELINE_FILES[id])], base, id);
  await waitReady(`${url}/health`, proc);
  return { id, url, pid: proc.pid ?? null, proc, tokenPath: '/token', tokenMethod: 'GET' };
}

export async function stopActor(actor: Actor | { proc: ChildProcess | null }): Promise<void> {
  const proc = actor.proc;
  if (proc && proc.exitCode === null && proc.signalCode === null) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      proc.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      proc.kill('SIGTERM');
    });
  }
  if ('redis' in actor) await actor.redis?.stop();
}

/** CPU seconds (user + system) the process has used so far. */
export function cpuSeconds(pid: number | null): number {
  if (pid === null) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** Resident set size in bytes: current (VmRSS) and peak since start or last reset (VmHWM). */
export function rss(pid: number | null): { rss: number; hwm: number } {
  if (pid === null) return { rss: NaN, hwm: NaN };
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return { rss: NaN, hwm: NaN };
  }
}

/** Polls VmRSS every `everyMs` until stopped; returns the peak seen (and VmHWM, whichever is higher). */
export function watchRss(pid: number | null, everyMs = 20): () => number {
  let peak = rss(pid).rss;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5'); // resets VmHWM to the current RSS
  } catch {
    /* not permitted: the polled peak is still valid */
  }
  const timer = setInterval(() => (peak = Math.max(peak, rss(pid).rss)), everyMs);
  return () => {
    clearInterval(timer);
    const last = rss(pid);
    return Math.max(peak, last.rss, Number.isFinite(last.hwm) ? last.hwm : 0);
  };
}
