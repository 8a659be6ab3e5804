import { execFileSync } from 'node:child_process';
import { buildContainer, type OzEmulator, startOzEmulator } from '../oz-emulator';
import { type ReceivedSpan, type OtlpReceiver, SPAN_KIND, startOtlpReceiver } from '../support/otlp-receiver';
import { call, createSession, uploadContainer } from './http';
import { ensureBuilt, jwtSecretParts, logLines, middleSample, occurrences, ROOT, type RunningService, sampleForms, spawnService } from './ops.helpers';

jest.setTimeout(60_000);

const API_KEY = 'internal-key-5d2e8a4c9b';
const OZ_ACCESS_TOKEN = 'oz-forensic-access-3c7f1a9e2d';
const SUBJECT_ID = 'subject-traced-7e41c2';
/** The caller's span: the upload continues its trace (W3C trace context, sampled). */
const CALLER_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '00f067aa0ba902b7';
const CALLER_TRACEPARENT = `00-${CALLER_TRACE_ID}-${CALLER_SPAN_ID}-01`;

function tracedEnvironment(receiver: OtlpReceiver, emulator: OzEmulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    OZ_API_URL: emulator.url,
    OZ_ACCESS_TOKEN,
    INTERNAL_API_KEYS: API_KEY,
    LOG_LEVEL: 'debug',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
    ...extra,
  };
}

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

const serverSpan = (spans: ReceivedSpan[], name: string) => spans.find((span) => span.kind === SPAN_KIND.SERVER && span.name === name);
const childrenOf = (spans: ReceivedSpan[], parent: ReceivedSpan) => spans.filter((span) => span.parentSpanId === parent.spanId);

describe('traces of the built service with an OTLP endpoint (docs/api.md §9)', () => {
  let receiver: OtlpReceiver;
  let emulator: OzEmulator;
  let service: RunningService;
  let spans: ReceivedSpan[];
  let session: { sessionId: string; sessionToken: string };
  let container: Buffer;

  beforeAll(async () => {
    ensureBuilt();
    receiver = await startOtlpReceiver();
    emulator = await startOzEmulator({ accessToken: OZ_ACCESS_TOKEN });
    service = await spawnService(tracedEnvironment(receiver, emulator));
    session = await createSession(service.url, { subjectId: SUBJECT_ID });
    container = buildContainer({ token: session.sessionToken });
    const upload = await uploadContainer(service.url, session.sessionId, container, { traceparent: CALLER_TRACEPARENT });
    expect(upload.status).toBe(201);
    const view = await call(`${service.url}/v1/sessions/${session.sessionId}`, { headers: { 'x-api-key': API_KEY } });
    expect(view.status).toBe(200);
    // A subject id in a path (docs/api.md §14) is no span attribute either.
    expect((await call(`${service.url}/v1/subjects/${SUBJECT_ID}/attempts`, { headers: { 'x-api-key': API_KEY } })).status).toBe(200);
    // A token put on a URL by mistake must not be exported either.
    expect((await call(`${service.url}/v1/unknown?sessionToken=${session.sessionToken}`)).status).toBe(404);
    spans = await receiver.waitFor((received) =>
      ['POST /v1/sessions', 'POST /v1/sessions/:sessionId/liveness', 'GET /v1/sessions/:sessionId', 'GET /v1/subjects/:subjectId/attempts', 'GET'].every(
        (name) => serverSpan(received, name),
      ),
    );
  });

  afterAll(async () => {
    await service?.stop();
    await emulator?.close();
    await receiver?.close();
  });

  it('continues the caller’s trace: the upload’s SERVER span is named by its route template, a child of the caller’s span', () => {
    expect(serverSpan(spans, 'POST /v1/sessions/:sessionId/liveness')).toMatchObject({
      traceId: CALLER_TRACE_ID,
      parentSpanId: CALLER_SPAN_ID,
      attributes: expect.objectContaining({ 'http.route': '/v1/sessions/:sessionId/liveness', 'http.response.status_code': 201 }),
      resource: expect.objectContaining({ 'service.name': 'oz-liveness-service' }),
    });
  });

  it('starts a trace of its own for a request that carries none, and names a request no route matched by its method alone', () => {
    expect(serverSpan(spans, 'POST /v1/sessions')).toMatchObject({ parentSpanId: '', attributes: expect.objectContaining({ 'http.route': '/v1/sessions' }) });
    const unmatched = serverSpan(spans, 'GET');
    expect(unmatched).toMatchObject({ parentSpanId: '', attributes: expect.objectContaining({ 'url.path': '/v1/unknown', 'url.query': 'REDACTED' }) });
    expect(unmatched?.attributes).not.toHaveProperty('http.route');
  });

  it('makes one CLIENT span per Oz call, a child of the request’s SERVER span, and sends Oz its traceparent', () => {
    const records = emulator.requests();
    expect(records.map((record) => record.path)).toEqual(['/api/authorize/session_token', '/api/instant/folders/']);
    for (const [name, record] of [
      ['POST /v1/sessions', records[0]],
      ['POST /v1/sessions/:sessionId/liveness', records[1]],
    ] as const) {
      const server = serverSpan(spans, name) as ReceivedSpan;
      const clients = childrenOf(spans, server);
      expect(clients).toEqual([expect.objectContaining({ kind: SPAN_KIND.CLIENT, traceId: server.traceId })]);
      expect(clients[0].attributes).toMatchObject({ 'url.path': record.path, 'http.response.status_code': record.method === 'GET' ? 200 : 201 });
      expect(record.headers.traceparent).toBe(`00-${server.traceId}-${clients[0].spanId}-01`);
    }
  });

  it('exports no session token, API key, Oz access token, subject id or container bytes', () => {
    const exported = receiver.bodies().join('\n');
    const secrets = {
      'session token': jwtSecretParts(session.sessionToken),
      'API key': [API_KEY],
      'Oz access token': [OZ_ACCESS_TOKEN],
      'subject id': [SUBJECT_ID],
      container: [...sampleForms(middleSample(container)), 'OZEMUCAP'],
    };
    expect(occurrences(exported, secrets)).toEqual([]);
    expect(exported).toContain(CALLER_TRACE_ID);
  });

  it('does not trace probes (spawning polled /health/live until it answered)', () => {
    expect(spans.filter((span) => String(span.attributes['url.path']).startsWith('/health/'))).toEqual([]);
  });

  it('writes the trace id of its request into each line written during the request', async () => {
    const ofUpload = () =>
      logLines(service.output()).filter(
        (line) => line.sessionId === session.sessionId || String((line.req as { url?: string } | undefined)?.url).includes(`${session.sessionId}/liveness`),
      );
    // stdout is a pipe: the last lines may still be on their way.
    await waitUntil(() => ofUpload().length >= 2);
    expect(ofUpload().map((line) => line.msg)).toEqual(expect.arrayContaining(['liveness analysis', 'request completed']));
    for (const line of ofUpload()) expect(line).toMatchObject({ trace_id: CALLER_TRACE_ID, span_id: expect.stringMatching(/^[0-9a-f]{16}$/) });
  });
});

describe('tracing at shutdown', () => {
  it('flushes the spans still queued on SIGTERM, after the requests drained, and exits 0', async () => {
    ensureBuilt();
    const receiver = await startOtlpReceiver();
    const emulator = await startOzEmulator({ accessToken: OZ_ACCESS_TOKEN });
    // A batch delay far past the test: only the flush at shutdown can deliver the span.
    const service = await spawnService(tracedEnvironment(receiver, emulator, { OTEL_BSP_SCHEDULE_DELAY: '600000', OTEL_SERVICE_NAME: 'verification-eu' }));
    try {
      await createSession(service.url);
      expect(receiver.spans()).toEqual([]);
      expect(await service.stop('SIGTERM')).toMatchObject({ code: 0, signal: null });
      expect(serverSpan(receiver.spans(), 'POST /v1/sessions')).toMatchObject({ resource: expect.objectContaining({ 'service.name': 'verification-eu' }) });
    } finally {
      await service.stop();
      await emulator.close();
      await receiver.close();
    }
  });
});

describe('without an OTLP endpoint', () => {
  it('starts no SDK: an Oz call carries no traceparent and no log line a trace id, whatever the caller sent', async () => {
    ensureBuilt();
    const emulator = await startOzEmulator();
    const service = await spawnService({ OZ_API_URL: emulator.url, LOG_LEVEL: 'debug', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' });
    try {
      const { sessionId, sessionToken } = await createSession(service.url);
      const upload = await uploadContainer(service.url, sessionId, buildContainer({ token: sessionToken }), { traceparent: CALLER_TRACEPARENT });
      expect(upload.status).toBe(201);
      expect(emulator.requests().map((record) => record.headerNames.filter((name) => name.startsWith('trace')))).toEqual([[], []]);
      await service.stop();
      const lines = logLines(service.output());
      expect(lines.filter((line) => line.msg === 'liveness analysis')).toHaveLength(1);
      expect(lines.filter((line) => 'trace_id' in line)).toEqual([]);
    } finally {
      await service.stop();
      await emulator.close();
    }
  });

  it.each([
    ['no endpoint', {}, false],
    ['OTEL_SDK_DISABLED=true', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_SDK_DISABLED: 'true' }, false],
    ['a traces endpoint', { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9/v1/traces' }, true],
  ])('loads the SDK only when it is to start (%s)', (_, env, loaded) => {
    const script = `require('./dist/tracing/start'); process.stdout.write(String(Object.keys(require.cache).some((path) => path.includes('@opentelemetry/sdk-node'))))`;
    const output = execFileSync(process.execPath, ['-e', script], { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
    expect(output).toBe(String(loaded));
  });
});
