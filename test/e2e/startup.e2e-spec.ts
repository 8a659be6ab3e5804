import { buildContainer, type OzEmulator, startOzEmulator } from '../oz-emulator';
import { call, createSession, uploadContainer } from './http';
import { ensureBuilt, type RunningService, runToExit, spawnService } from './ops.helpers';

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
