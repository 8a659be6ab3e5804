import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** Operational specs (start-up, logs) run the built service exactly as `npm start` does. */
export const ROOT = join(__dirname, '..', '..');
export const MAIN = join(ROOT, 'dist', 'main.js');
export const DOCTOR = join(ROOT, 'dist', 'doctor.js');

/** `npm test` builds first; a lone `jest` run builds only when there is nothing to run. */
export function ensureBuilt(): void {
  if (existsSync(MAIN)) return;
  execFileSync('npx', ['nest', 'build', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
}

/** A port nobody listens on right now: listen on 0, note it, close. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Only what node needs: nothing of the test process's own environment leaks into the service. */
function serviceEnvironment(env: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunResult extends Exit {
  stdout: string;
  stderr: string;
}

/** Runs `node dist/main.js` (or another script) until it exits on its own (a start-up failure); killed after 15 s. */
export function runToExit(env: Record<string, string>, script = MAIN, args: string[] = []): Promise<RunResult> {
  const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, env: serviceEnvironment(env) });
  const output = collect(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  return exitOf(child).then((exit) => {
    clearTimeout(timer);
    return { ...exit, stdout: output.stdout(), stderr: output.stderr() };
  });
}

export interface RunningService {
  url: string;
  /** The process id, to read its memory from /proc. */
  pid: number;
  /** Everything written so far to stdout and stderr, interleaved. */
  output(): string;
  /** The same as raw bytes, for searching binary data that a UTF-8 decoding would mangle. */
  outputBytes(): Buffer;
  stderr(): string;
  /** Sends the signal and resolves with how the process ended (SIGKILL after `graceMs`). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<Exit & { elapsedMs: number }>;
}

/** Starts the built service on a free port and waits until /health/live answers. */
export async function spawnService(env: Record<string, string>): Promise<RunningService> {
  const port = await freePort();
  // Metrics on a port of the system's choice and no rate limits, as in-process test apps (TEST_DEFAULTS).
  const defaults = { METRICS_PORT: '0', RATE_LIMIT_SESSIONS_PER_MINUTE: '0', RATE_LIMIT_SUBJECT_SESSIONS_PER_HOUR: '0' };
  const child = spawn(process.execPath, [MAIN], { cwd: ROOT, env: serviceEnvironment({ ...defaults, ...env, PORT: String(port) }) });
  const output = collect(child);
  const exited = exitOf(child);
  const url = `http://127.0.0.1:${port}`;
  await waitUntilLive(url, exited, output);
  return {
    url,
    pid: child.pid ?? 0,
    output: output.all,
    outputBytes: output.bytes,
    stderr: output.stderr,
    async stop(signal = 'SIGTERM', graceMs = 10_000) {
      const started = Date.now();
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const exit = await exited;
      clearTimeout(timer);
      return { ...exit, elapsedMs: Date.now() - started };
    },
  };
}

async function waitUntilLive(url: string, exited: Promise<Exit>, output: { all(): string }): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && !gone) {
    const status = await fetch(`${url}/health/live`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the service did not become live${gone ? ' (it exited)' : ''}:\n${output.all()}`);
}

function collect(child: ChildProcess): { all(): string; bytes(): Buffer; stdout(): string; stderr(): string } {
  const all: Buffer[] = [];
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => (all.push(chunk), out.push(chunk)));
  child.stderr?.on('data', (chunk: Buffer) => (all.push(chunk), err.push(chunk)));
  const text = (chunks: Buffer[]) => Buffer.concat(chunks).toString('utf8');
  return { all: () => text(all), bytes: () => Buffer.concat(all), stdout: () => text(out), stderr: () => text(err) };
}

function exitOf(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** The JSON lines of a pino log; anything else (a stray console.log) is kept as `{ raw }`. */
export function logLines(output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return { raw: line };
      }
    });
}

/**
 * The ways a secret or a byte string could show up in text: as is, base64 (all three byte
 * alignments, so a slice of a longer base64 string is found too), base64url and hex.
 */
export function textForms(bytes: Buffer, sampleLength = 48): string[] {
  const forms: string[] = [bytes.toString('hex'), bytes.toString('hex').toUpperCase()];
  for (let shift = 0; shift < 3 && shift < bytes.length; shift++) {
    const slice = bytes.subarray(shift, shift + sampleLength - (sampleLength % 3));
    forms.push(slice.toString('base64').replace(/=+$/, ''), slice.toString('base64url'));
  }
  return forms;
}

/** 48 bytes from the middle: for a container, its random media; for an image, its pixels. */
export function middleSample(bytes: Buffer): Buffer {
  const middle = Math.floor(bytes.length / 2);
  return bytes.subarray(middle, middle + 48);
}

/**
 * A distinctive run of bytes as text could carry it: base64, hex, and the decimal array that
 * JSON.stringify makes of a Buffer (`{"type":"Buffer","data":[...]}`), which is what a logged
 * Buffer looks like in a pino line.
 */
export function sampleForms(sample: Buffer): string[] {
  return [...textForms(sample), sample.subarray(0, 16).toJSON().data.join(',')];
}

/** The payload and signature parts of a JWT (the header part is the same for every token). */
export function jwtSecretParts(token: string): string[] {
  const parts = token.split('.');
  return [token, ...parts.slice(1).filter((part) => part.length > 0)];
}

/** Which of the `needles` occur in `haystack`, for a readable failure message. */
export function occurrences(haystack: string, needles: Record<string, string[]>): string[] {
  return Object.entries(needles).flatMap(([what, forms]) =>
    forms.filter((form) => form.length >= 8 && haystack.includes(form)).map((form) => `${what}: ${form.slice(0, 40)}…`),
  );
}

export function biometryForm(reference: Buffer, referenceType?: string): FormData {
  const form = new FormData();
  form.append('reference', new Blob([reference], { type: 'image/jpeg' }), 'reference.jpg');
  if (referenceType !== undefined) form.append('referenceType', referenceType);
  return form;
}
