/**
 * Real redis-servers for tests, each on a free port of its own (never 6379, never a server that
 * happens to run), without persistence, killed when the test process ends.
 *
 *   const redis = await startRedisServer();   // redis.url, redis.port; options.args: more flags
 *   redis.freeze(); redis.thaw();              // SIGSTOP / SIGCONT: a Redis that stops answering
 *   await redis.restart();                     // same port, empty data
 *   await redis.stop();
 *
 *   const cluster = await startRedisCluster(); // three primaries; cluster.url names one seed node
 *   await cluster.stop();
 *
 * Needs redis-server (and redis-cli for a cluster) on PATH, or REDIS_SERVER_BIN / REDIS_CLI_BIN;
 * without them it fails with a message that says so. A server starts in a few tens of
 * milliseconds, a cluster in about two seconds: give a cluster's beforeAll a longer timeout.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { isPortFree, redisCommand, waitFor } from './redis-wire';

export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  stop(): Promise<void>;
  /** SIGSTOP: the socket stays open and nothing answers, as with a Redis stuck or a network gone silent. */
  freeze(): void;
  thaw(): void;
  /** Kills the server and starts a new one on the same port (no data survives). */
  restart(): Promise<void>;
}

export interface RedisCluster {
  readonly ports: readonly number[];
  /** The first node's URL: a seed node, as REDIS_URL names one with REDIS_CLUSTER=true. */
  readonly url: string;
  stop(): Promise<void>;
}

export interface RedisServerOptions {
  /** More redis-server arguments, e.g. `['--requirepass', 'secret']`. */
  args?: string[];
}

const SERVER_BINARY = process.env.REDIS_SERVER_BIN ?? 'redis-server';
const CLI_BINARY = process.env.REDIS_CLI_BIN ?? 'redis-cli';
/**
 * util-linux's setpriv (in every Debian and Ubuntu) execs redis-server with a parent-death
 * signal: the kernel kills the server when the test process ends, even when it is killed. An
 * exit hook alone is not enough: Jest gives each test file a copy of `process` whose 'exit'
 * never fires.
 */
const SETPRIV = onPath('setpriv');
/** Below Jest's default 5 s hook timeout, so that a server that does not start fails with its own message. */
const START_TIMEOUT_MS = 4_000;
const CLUSTER_CREATE_TIMEOUT_MS = 20_000;
const running = new Set<ChildProcess>();
// Outside Jest (a script that starts servers) this hook does fire.
process.once('exit', () => running.forEach((child) => child.kill('SIGKILL')));

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), 'redis-test-'));
  let node = await startNode(dir, options.args ?? []);
  return {
    port: node.port,
    url: `redis://127.0.0.1:${node.port}`,
    freeze: () => node.child.kill('SIGSTOP'),
    thaw: () => node.child.kill('SIGCONT'),
    async restart() {
      await kill(node.child);
      node = await launch(dir, node.port, options.args ?? []);
    },
    async stop() {
      await kill(node.child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Three primaries, no replicas, all 16384 slots assigned; resolves once every node says cluster_state:ok. */
export async function startRedisCluster(): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-test-'));
  const nodes: StartedNode[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => kill(node.child)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 3; i++) nodes.push(await startNode(dir, [], { clusterBus: true }));
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await promisify(execFile)(CLI_BINARY, ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], {
      timeout: CLUSTER_CREATE_TIMEOUT_MS,
    }).catch((error: NodeJS.ErrnoException) => {
      throw new Error(error.code === 'ENOENT' ? missing(CLI_BINARY) : `redis-cli --cluster create failed: ${error.message}`);
    });
    for (const node of nodes) await waitFor(async () => (await redisCommand(node.port, 'CLUSTER INFO')).includes('cluster_state:ok'), START_TIMEOUT_MS);
  } catch (error) {
    await stop();
    throw error;
  }
  return { ports: nodes.map((node) => node.port), url: `redis://127.0.0.1:${nodes[0].port}`, stop };
}

interface StartedNode {
  port: number;
  child: ChildProcess;
}

/** Another test process may take the port between the check and the bind: then another port is tried. */
async function startNode(dir: string, args: string[], options: { clusterBus?: boolean } = {}): Promise<StartedNode> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort(options.clusterBus ?? false);
    const clusterArgs = options.clusterBus ? ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`)] : [];
    try {
      return await launch(dir, port, [...clusterArgs, ...args]);
    } catch (error) {
      if (attempt >= 5 || !(error instanceof Error) || !error.message.includes('Address already in use')) throw error;
    }
  }
}

async function launch(dir: string, port: number, args: string[]): Promise<StartedNode> {
  const argv = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...args];
  const server = onPath(SERVER_BINARY);
  if (!server) throw new Error(missing(SERVER_BINARY));
  const [command, commandArgs] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'KILL', server, ...argv]] : [server, argv];
  const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  // A suite that forgets stop() must not keep Jest from exiting; the parent-death signal kills the server then.
  for (const handle of [child, child.stdout, child.stderr] as Array<{ unref?: () => void } | null>) handle?.unref?.();
  let output = '';
  const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2_000));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (error) => reject(error));
    child.once('exit', (code, signal) => reject(new Error(`redis-server on port ${port} exited (${code ?? signal}) at start: ${output.trim()}`)));
  });
  exited.catch(() => running.delete(child));
  try {
    // Any reply counts: a server that requires a login answers -NOAUTH. A server that exited ends the polling; `exited` says why.
    const answers = async () => child.exitCode !== null || child.signalCode !== null || (await redisCommand(port, 'PING')) !== '';
    await Promise.race([exited, waitFor(answers, START_TIMEOUT_MS)]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { port, child };
}

/** SIGKILL works on a frozen server too; the promise waits until the port is given back. */
async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
  running.delete(child);
}

/** Away from 6379 and below Linux's ephemeral range (32768 on); a cluster node also needs port + 10000 for its bus. */
async function freePort(clusterBus: boolean): Promise<number> {
  for (;;) {
    const port = 15_000 + Math.floor(Math.random() * (clusterBus ? 7_000 : 17_000));
    if ((await isPortFree(port)) && (!clusterBus || (await isPortFree(port + 10_000)))) return port;
  }
}

function onPath(binary: string): string | null {
  if (binary.includes('/')) return existsSync(binary) ? binary : null;
  const found = (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir, binary))
    .find((path) => existsSync(path));
  return found ?? null;
}

function missing(binary: string): string {
  return `${binary} was not found: the integration tests start their own Redis (install redis-server / redis-tools, or set REDIS_SERVER_BIN and REDIS_CLI_BIN)`;
}
