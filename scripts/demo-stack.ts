/**
 * The pieces of `npm run demo`, startable from a test: the Oz emulator (in process), the built
 * service (`dist/main.js`, a child process, as in production) and the demo page's own server.
 * Port 0 means "any free port", so a test can run beside a demo someone left running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pinoPretty from 'pino-pretty';
import { startDemoServer, type DemoServer } from '../demo/server';
import { startOzEmulator, type OzEmulator } from '../test/oz-emulator';

const MAIN = join(__dirname, '..', 'dist', 'main.js');
const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;
/** One line per entry, the Nest context before the message; sync, so that no line is lost when the demo exits. */
const PRETTY_OPTIONS = {
  colorize: process.stdout.isTTY,
  sync: true,
  singleLine: true,
  translateTime: 'SYS:HH:MM:ss.l',
  ignore: 'pid,hostname,context',
  messageFormat: '{if context}{context}: {end}{msg}',
};

export interface DemoStackOptions {
  servicePort?: number;
  emulatorPort?: number;
  demoPort?: number;
  apiKey?: string;
  logLevel?: string;
  /** `pretty`: the service's JSON log lines made readable on stdout (the demo); `ignore`: dropped (tests). */
  serviceLogs?: 'pretty' | 'ignore';
}

export interface DemoStack {
  /** 127.0.0.1 addresses: what the pieces use to reach each other. */
  serviceUrl: string;
  emulatorUrl: string;
  demoUrl: string;
  apiKey: string;
  emulator: OzEmulator;
  /** Settles when the service process exits, for whatever reason. */
  serviceExit: Promise<number | null>;
  close(): Promise<void>;
}

export async function startDemoStack(options: DemoStackOptions = {}): Promise<DemoStack> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
  const apiKey = options.apiKey ?? 'demo-internal-key';
  const emulator = await startOzEmulator({ port: options.emulatorPort ?? 0, host: '127.0.0.1' });
  const servicePort = options.servicePort || (await freePort());
  const serviceUrl = `http://127.0.0.1:${servicePort}`;
  const page = await startDemoServer({ port: options.demoPort ?? 0, serviceUrl, apiKey }).catch(async (error: Error) => {
    await emulator.close();
    throw error;
  });
  const metricsPort = Number(process.env.METRICS_PORT) || (await freePort());
  const service = spawnService({ port: servicePort, metricsPort, emulatorUrl: emulator.url, apiKey, demoPort: page.port, options });
  const serviceExit = new Promise<number | null>((resolve) => service.once('exit', (code) => resolve(code)));
  const close = () => stopAll(service, serviceExit, page, emulator);
  try {
    await waitForReady(serviceUrl, serviceExit);
  } catch (error) {
    await close();
    throw error;
  }
  return { serviceUrl, emulatorUrl: emulator.url, demoUrl: page.url, apiKey, emulator, serviceExit, close };
}

interface ServiceLaunch {
  port: number;
  metricsPort: number;
  emulatorUrl: string;
  apiKey: string;
  demoPort: number;
  options: DemoStackOptions;
}

function spawnService({ port, metricsPort, emulatorUrl, apiKey, demoPort, options }: ServiceLaunch): ChildProcess {
  // The page calls the service from its own origin, as a company frontend would: CORS must list it,
  // under both names a browser may have typed.
  const pageOrigins = [`http://localhost:${demoPort}`, `http://127.0.0.1:${demoPort}`];
  const corsOrigins = [process.env.CORS_ORIGINS, ...pageOrigins].filter(Boolean).join(',');
  const pretty = options.serviceLogs === 'pretty';
  const service = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      PORT: String(port),
      OZ_API_URL: emulatorUrl,
      INTERNAL_API_KEYS: apiKey,
      CORS_ORIGINS: corsOrigins,
      LOG_LEVEL: options.logLevel ?? process.env.LOG_LEVEL ?? 'info',
      // v1.1 serves metrics on a port of their own: a test beside a running demo must not collide on 9464.
      METRICS_PORT: String(metricsPort),
      // Three failed attempts of the demo person lock it, so that the lock is a few clicks away.
      ATTEMPT_LIMIT: process.env.ATTEMPT_LIMIT ?? '3',
    },
    stdio: ['ignore', pretty ? 'pipe' : 'ignore', 'inherit'],
  });
  // Readable lines for a person at a terminal, in the demo only: the service itself keeps writing
  // JSON, which is what its production log pipeline expects.
  if (pretty) service.stdout?.pipe(pinoPretty(PRETTY_OPTIONS));
  return service;
}

async function waitForReady(serviceUrl: string, serviceExit: Promise<number | null>): Promise<void> {
  let exited: number | null | undefined;
  void serviceExit.then((code) => (exited = code));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`the service exited (${exited}) before it was ready`);
    const ready = await fetch(`${serviceUrl}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the service did not become ready');
}

async function stopAll(service: ChildProcess, serviceExit: Promise<number | null>, page: DemoServer, emulator: OzEmulator): Promise<void> {
  if (service.exitCode === null && service.signalCode === null) {
    service.kill('SIGTERM');
    const killer = setTimeout(() => service.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await serviceExit;
    clearTimeout(killer);
  }
  await page.close();
  await emulator.close();
}

/** A port nobody listens on right now: the service is a child process and takes its port from PORT. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
