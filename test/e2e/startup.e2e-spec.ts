import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { buildContainer, type OzEmulator, startOzEmulator } from '../oz-emulator';
import { call, createSession, uploadContainer } from './http';
import { ensureBuilt, freePort, logLines, type RunningService, runToExit, spawnService } from './ops.helpers';

jest.setTimeout(60_000);

beforeAll(() => ensureBuilt());

/** The stderr lines that name each variable, for "one line per bad variable". */
function linesNaming(stderr: string, names: string[]): Record<string, string[]> {
  const lines = stderr.split('\n').filter((line) => line.trim().length > 0);
  return Object.fromEntries(names.map((name) => [name, lines.filter((line) => new RegExp(`\\b${name}\\b`).test(line))]));
}

describe('node dist/main.js with a bad environment', () => {
  it('exits non-zero naming every bad variable on its own line, all in one run', async () => {
    const bad = ['OZ_API_URL', 'PORT', 'OZ_MAX_CONCURRENCY', 'MAX_CONTAINER_BYTES', 'LOG_LEVEL'];

    const run = await runToExit({ PORT: 'abc', OZ_MAX_CONCURRENCY: '0', MAX_CONTAINER_BYTES: '-5', LOG_LEVEL: 'loud' });

    expect(run.code).not.toBe(0);
    expect(run.code).not.toBeNull();
    const lines = run.stderr.split('\n').filter((line) => line.trim().length > 0);
    expect(lines).toHaveLength(bad.length);
    expect(linesNaming(run.stderr, bad)).toEqual(Object.fromEntries(bad.map((name) => [name, [expect.any(String)]])));
    expect(linesNaming(run.stderr, ['OZ_API_URL']).OZ_API_URL[0]).toMatch(/required/);
    expect(run.stderr).not.toMatch(/\bat .+\.js:\d+/); // no stack trace
    expect(run.stdout).toBe('');
  });

  it('refuses a non-http OZ_API_URL and every other out-of-range value, without echoing the values', async () => {
    const env = {
      OZ_API_URL: 'ftp://svc:hunter2@oz.example',
      OZ_SESSION_TOKEN_METHOD: 'PUT',
      OZ_SESSION_TTL_SECONDS: '-1',
      OZ_TIMEOUT_MS: '0',
      OZ_TOKEN_TIMEOUT_MS: 'soon',
      MAX_IMAGE_BYTES: '0',
      RESULT_TTL_SECONDS: '1.5',
      BEST_SHOT_TTL_SECONDS: '0',
    };

    const run = await runToExit(env);

    expect(run.code).not.toBe(0);
    expect(run.code).not.toBeNull();
    const bad = Object.keys(env);
    expect(run.stderr.split('\n').filter((line) => line.trim().length > 0)).toHaveLength(bad.length);
    expect(linesNaming(run.stderr, bad)).toEqual(Object.fromEntries(bad.map((name) => [name, [expect.any(String)]])));
    expect(linesNaming(run.stderr, ['OZ_API_URL']).OZ_API_URL[0]).toMatch(/http\(s\)/);
    expect(run.stderr).not.toContain('hunter2');
  });

  it('refuses an OTLP exporter that is not HTTP before it starts one: one line, nothing from the SDK', async () => {
    const run = await runToExit({ OZ_API_URL: 'http://127.0.0.1:9', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });

    expect(run.code).toBe(1);
    expect(run.stderr.split('\n').filter((line) => line.trim().length > 0)).toEqual([
      expect.stringMatching(/^invalid configuration: OTEL_EXPORTER_OTLP_PROTOCOL: must be one of http\/protobuf, http\/json/),
    ]);
    expect(run.stdout).toBe('');
  });
});

describe('node dist/main.js with a valid environment', () => {
  let emulator: OzEmulator;
  let service: RunningService;

  beforeAll(async () => {
    emulator = await startOzEmulator();
    service = await spawnService({ OZ_API_URL: emulator.url, LOG_LEVEL: 'warn' });
  });
  afterAll(async () => {
    await service?.stop('SIGKILL');
    await emulator?.close();
  });

  it('serves /health/live', async () => {
    const answer = await call(`${service.url}/health/live`);

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ok', info: {}, error: {}, details: {} });
  });

  it('serves a whole session: token from Oz, container upload, decision', async () => {
    const { sessionId, sessionToken } = await createSession(service.url);

    const answer = await uploadContainer(service.url, sessionId, buildContainer({ token: sessionToken }));

    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ sessionId, status: 'completed', decision: 'accepted', reason: 'LIVENESS_PASSED' });
    expect(emulator.requests().map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/authorize/session_token', 'POST /api/instant/folders/']);
  });

  it('exits 0 promptly on SIGTERM, after which the port is closed', async () => {
    const exit = await service.stop('SIGTERM');

    expect(exit).toEqual({ code: 0, signal: null, elapsedMs: expect.any(Number) });
    expect(exit.elapsedMs).toBeLessThan(5_000);
    await expect(fetch(`${service.url}/health/live`)).rejects.toThrow();
  });
});

/** Contract §17: where the service listens, said once it does; a port in use, said with the variable to change. */
describe('node dist/main.js says where it listens', () => {
  let emulator: OzEmulator;

  beforeAll(async () => {
    emulator = await startOzEmulator();
  });
  afterAll(() => emulator?.close());

  it('writes one listening line: host, ports, the Oz origin without credentials or path, store, webhooks, tracing, capacity', async () => {
    const internalPort = await freePort();
    const withCredentials = emulator.url.replace('http://', 'http://ozuser:oz-secret-9f@') + '/a/path';
    const service = await spawnService({ OZ_API_URL: withCredentials, INTERNAL_PORT: String(internalPort), OZ_CAPACITY: '3', OZ_MAX_CONCURRENCY: '4' });
    try {
      const lines = logLines(service.output());
      const listening = lines.filter((line) => line.msg === 'listening');

      expect(listening).toEqual([
        expect.objectContaining({
          level: 30,
          host: '0.0.0.0',
          port: Number(new URL(service.url).port),
          internalPort,
          metricsPort: expect.any(Number),
          ozOrigin: emulator.url,
          store: 'memory',
          webhooks: false,
          tracing: false,
          ozCapacity: 3,
          ozMaxConcurrency: 4,
        }),
      ]);
      expect(service.output()).not.toContain('oz-secret-9f');
      expect(lines.filter((line) => /successfully started|Mapped \{/.test(String(line.msg)))).toEqual([]);
    } finally {
      await service.stop('SIGKILL');
    }
  });

  it.each(['PORT', 'INTERNAL_PORT'])('exits 1 with one error line naming %s when its port is taken, and nothing that says it started', async (variable) => {
    const blocker = createServer();
    blocker.listen(0, '0.0.0.0');
    await once(blocker, 'listening');
    const taken = (blocker.address() as AddressInfo).port;
    try {
      const ports = { PORT: String(await freePort()), INTERNAL_PORT: String(await freePort()), [variable]: String(taken) };
      const run = await runToExit({ OZ_API_URL: emulator.url, METRICS_PORT: '0', ...ports });

      expect(run).toMatchObject({ code: 1, signal: null });
      const errors = logLines(run.stdout).filter((line) => line.level === 50);
      expect(errors).toEqual([
        expect.objectContaining({ variable, port: taken, msg: `${variable} ${taken} is already in use: free it or set ${variable} to another port` }),
      ]);
      expect(run.stdout + run.stderr).not.toMatch(/started|listening/);
    } finally {
      blocker.close();
    }
  });
});
