import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startApp, startStack, type Stack } from '../app.factory';
import { buildContainer, buildReferenceImage } from '../oz-emulator';
import { Metrics } from '../../src/metrics/metrics';
import { MetricsServer } from '../../src/metrics/metrics.server';
import { MAX_WINDOWS_IN_MEMORY, RateLimits } from '../../src/rate-limits/rate-limits';
import { call, createSession, internal, uploadContainer } from './http';
import { analysedSession, matchFaces, referenceForm } from './internal.helpers';
import { delta, metricsUrl, promtoolCheck, samples, scrape, valueOf } from './metrics.helpers';
import { ensureBuilt, freePort, logLines, runToExit, spawnService } from './ops.helpers';

const LIVENESS_ROUTE = '/v1/sessions/:sessionId/liveness';
const REQUEST_COUNT = 'http_server_request_duration_seconds_count';
const OZ_COUNT = 'oz_request_duration_seconds_count';

describe('GET /metrics (docs/api.md §9)', () => {
  let stack: Stack;
  /** Every id a flow of these tests used: none may become a label value (§6). */
  const identifiers = new Set<string>();

  beforeAll(async () => {
    stack = await startStack({ OZ_TOKEN_TIMEOUT_MS: '300' });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.emulator.clearFaults());

  const app = () => stack.service.app;
  const url = () => stack.service.url;

  async function liveness(scenario: 'live' | 'spoof' | 'tampered', person = 'metrics-person') {
    const subjectId = `subject-${scenario}-${identifiers.size}`;
    const requestId = `request-${scenario}-${identifiers.size}`;
    const { sessionId, sessionToken } = await createSession(url(), { subjectId });
    const answer = await uploadContainer(url(), sessionId, buildContainer({ token: sessionToken, scenario, person }), { 'x-request-id': requestId });
    for (const id of [sessionId, subjectId, requestId]) identifiers.add(id);
    return { sessionId, answer };
  }

  it('times each request under its route template and status', async () => {
    let sessionId = '';
    const moved = await delta(app(), async () => {
      ({ sessionId } = await liveness('live'));
      expect((await call(`${url()}/v1/sessions/${sessionId}`, { headers: internal() })).status).toBe(200);
    });
    expect(moved(REQUEST_COUNT, { method: 'POST', route: '/v1/sessions', status_code: '201' })).toBe(1);
    expect(moved(REQUEST_COUNT, { method: 'POST', route: LIVENESS_ROUTE, status_code: '201' })).toBe(1);
    expect(moved(REQUEST_COUNT, { method: 'GET', route: '/v1/sessions/:sessionId', status_code: '200' })).toBe(1);
  });

  it('labels a path no route matched `unmatched`, never with the path itself', async () => {
    const moved = await delta(app(), async () => {
      expect((await call(`${url()}/v1/elsewhere/3d0f6a55-1c2b-4e8f-9a7d-6b5c4e3f2a10?token=x`)).status).toBe(404);
    });
    expect(moved(REQUEST_COUNT, { method: 'GET', route: 'unmatched', status_code: '404' })).toBe(1);
    expect(await scrape(app())).not.toContain('elsewhere');
  });

  it('counts liveness decisions by decision and reason, and times the Oz calls that made them', async () => {
    const moved = await delta(app(), async () => {
      expect((await liveness('live')).answer.body.decision).toBe('accepted');
      expect((await liveness('spoof')).answer.body.decision).toBe('rejected');
    });
    expect(moved('verification_decisions_total', { check: 'liveness', decision: 'accepted', reason: 'LIVENESS_PASSED' })).toBe(1);
    expect(moved('verification_decisions_total', { check: 'liveness', decision: 'rejected', reason: 'LIVENESS_DECLINED' })).toBe(1);
    expect(moved(OZ_COUNT, { operation: 'session_token', outcome: 'ok' })).toBe(2);
    expect(moved(OZ_COUNT, { operation: 'liveness', outcome: 'ok' })).toBe(2);
  });

  it('counts a container Oz refused for good by its code, and its call as an Oz error', async () => {
    const moved = await delta(app(), async () => {
      expect((await liveness('tampered')).answer.status).toBe(422);
    });
    expect(moved('oz_container_errors_total', { oz_error_code: '14' })).toBe(1);
    expect(moved(OZ_COUNT, { operation: 'liveness', outcome: 'oz_error' })).toBe(1);
    // The container was the caller's: an Oz error, but not Oz failing (§17 alerts read the cause).
    expect(moved('oz_failed_calls_total', { operation: 'liveness', cause: 'caller_data' })).toBe(1);
    expect(moved('oz_failed_calls_total', { operation: 'liveness', cause: 'oz_5xx' })).toBe(0);
    expect(moved('verification_decisions_total', { check: 'liveness', decision: 'rejected', reason: 'LIVENESS_DECLINED' })).toBe(0);
  });

  it('counts an Oz 5xx as Oz failing, and starts every cause and the watched refusals at 0', async () => {
    const text = await scrape(app());
    for (const cause of ['oz_5xx', 'oz_refused_service', 'caller_data', 'timeout', 'unreachable', 'reset', 'invalid_response']) {
      expect(samples(text).some((s) => s.name === 'oz_failed_calls_total' && s.labels.operation === 'biometry' && s.labels.cause === cause)).toBe(true);
    }
    const refusals = { method: 'POST', route: '/v1/sessions/:sessionId/liveness', status_code: '503' };
    expect(samples(text).some((s) => s.name === 'http_server_request_duration_seconds_count' && JSON.stringify(s.labels) === JSON.stringify(refusals))).toBe(
      true,
    );

    stack.emulator.armFault({ kind: 'status', status: 500, route: 'folders' });
    const moved = await delta(app(), async () => {
      expect((await liveness('live')).answer.status).toBe(502);
    });
    expect(moved('oz_failed_calls_total', { operation: 'liveness', cause: 'oz_5xx' })).toBe(1);
    expect(moved('oz_failed_calls_total', { operation: 'liveness', cause: 'caller_data' })).toBe(0);
  });

  it('counts biometry decisions under the check `biometry`', async () => {
    const { sessionId } = await analysedSession(url(), { person: 'metrics-face' });
    identifiers.add(sessionId);
    const moved = await delta(app(), async () => {
      const same = await matchFaces(url(), sessionId, referenceForm(buildReferenceImage('metrics-face'), 'selfie'));
      const other = await matchFaces(url(), sessionId, referenceForm(buildReferenceImage('someone-else'), 'selfie'));
      expect([same.body.result.decision, other.body.result.decision]).toEqual(['accepted', 'rejected']);
    });
    expect(moved('verification_decisions_total', { check: 'biometry', decision: 'accepted', reason: 'FACE_MATCHED' })).toBe(1);
    expect(moved('verification_decisions_total', { check: 'biometry', decision: 'rejected', reason: 'FACE_MISMATCH' })).toBe(1);
    expect(moved('verification_decisions_total', { check: 'liveness', decision: 'accepted', reason: 'LIVENESS_PASSED' })).toBe(0);
    expect(moved(OZ_COUNT, { operation: 'biometry', outcome: 'ok' })).toBe(2);
  });

  it.each([
    ['oz_error', { kind: 'status', status: 503 }, 502],
    ['reset', { kind: 'reset' }, 502],
    ['invalid_response', { kind: 'non-json' }, 502],
    ['timeout', { kind: 'delay', delayMs: 1_000 }, 504],
  ] as const)('times a failed Oz call under the outcome %s', async (outcome, fault, status) => {
    stack.emulator.armFault({ ...fault, route: 'token' });
    const moved = await delta(app(), async () => {
      expect((await call(`${url()}/v1/sessions`, { method: 'POST' })).status).toBe(status);
    });
    expect(moved(OZ_COUNT, { operation: 'session_token', outcome })).toBe(1);
    expect(moved(OZ_COUNT, { operation: 'session_token', outcome: 'ok' })).toBe(0);
  });

  it('reads the analyses in flight to Oz at scrape time', async () => {
    const { sessionId, sessionToken } = await createSession(url());
    identifiers.add(sessionId);
    const upload = uploadContainer(url(), sessionId, buildContainer({ token: sessionToken, scenario: 'fault-delay', delayMs: 1_500 }));
    await waitFor(async () => valueOf(await scrape(app()), 'oz_analyses_in_flight') === 1);
    expect((await upload).status).toBe(201);
    expect(valueOf(await scrape(app()), 'oz_analyses_in_flight')).toBe(0);
  });

  it('starts the webhook delivery series at 0 and counts the outcomes the sender reports', async () => {
    const outcomes = ['delivered', 'failed_attempt', 'gave_up'] as const;
    const before = await scrape(app());
    expect(outcomes.map((outcome) => samples(before).some((s) => s.name === 'webhook_deliveries_total' && s.labels.outcome === outcome))).toEqual([
      true,
      true,
      true,
    ]);
    const moved = await delta(app(), async () => {
      app().get(Metrics).countWebhookDelivery('failed_attempt');
      app().get(Metrics).countWebhookDelivery('delivered');
    });
    expect(outcomes.map((outcome) => moved('webhook_deliveries_total', { outcome }))).toEqual([1, 1, 0]);
  });

  it('carries the default process metrics and histogram buckets up to 10 s for requests and 60 s for Oz', async () => {
    const text = await scrape(app());
    const names = new Set(samples(text).map((sample) => sample.name));
    expect([...names].filter((name) => /^(process|nodejs)_/.test(name)).length).toBeGreaterThan(10);
    expect(names).toContain('process_cpu_seconds_total');
    const bucketsOf = (name: string) =>
      new Set(
        samples(text)
          .filter((s) => s.name === name)
          .map((s) => s.labels.le),
      );
    expect([...bucketsOf('http_server_request_duration_seconds_bucket')]).toEqual(expect.arrayContaining(['10', '+Inf']));
    expect([...bucketsOf('oz_request_duration_seconds_bucket')]).toEqual(expect.arrayContaining(['60', '+Inf']));
  });

  it('is text that `promtool check metrics` accepts', async () => {
    const response = await fetch(metricsUrl(app()));
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(promtoolCheck(await response.text())).toEqual({ status: 0, output: '' });
  });

  it('puts no session id, subject id, request id or address into a label value', async () => {
    const values = samples(await scrape(app())).flatMap((sample) => Object.values(sample.labels));
    expect(identifiers.size).toBeGreaterThan(10);
    expect(values.filter((value) => [...identifiers].some((id) => value.includes(id)))).toEqual([]);
    expect(values.filter((value) => /\d+\.\d+\.\d+\.\d+|::1|[0-9a-f]{8}-[0-9a-f]{4}-/i.test(value))).toEqual([]);
  });

  it('serves only GET /metrics on its own port, and nothing of it on PORT', async () => {
    const metrics = metricsUrl(app());
    expect(app().get(MetricsServer).port).not.toBe(Number(new URL(url()).port));
    expect((await call(`${url()}/metrics`)).status).toBe(404);
    expect((await call(metrics.replace('/metrics', '/other'))).status).toBe(404);
    expect((await call(metrics, { method: 'POST' })).status).toBe(405);
    expect((await call(metrics, { method: 'HEAD' })).status).toBe(200);
  });
});

describe('metrics of refusals before Oz answered', () => {
  it('counts rate-limit refusals by limit, and never the address or subject they refused', async () => {
    const stack = await startStack({ TRUST_PROXY: 'true', RATE_LIMIT_SESSIONS_PER_MINUTE: '1', RATE_LIMIT_SUBJECT_SESSIONS_PER_HOUR: '1' });
    const post = (address: string, body?: object) =>
      call(`${stack.service.url}/v1/sessions`, {
        method: 'POST',
        headers: { 'x-forwarded-for': address, ...(body && { 'content-type': 'application/json' }) },
        body: body && JSON.stringify(body),
      });
    try {
      const moved = await delta(stack.service.app, async () => {
        expect((await post('198.51.100.7', { subjectId: 'limited-subject' })).status).toBe(201);
        expect((await post('198.51.100.7')).status).toBe(429);
        expect((await post('198.51.100.8', { subjectId: 'limited-subject' })).status).toBe(429);
      });
      expect([moved('rate_limited_requests_total', { limit: 'address' }), moved('rate_limited_requests_total', { limit: 'subject' })]).toEqual([1, 1]);
      expect(await scrape(stack.service.app)).not.toMatch(/198\.51\.100|limited-subject/);
    } finally {
      await stack.close();
    }
  });

  it(`counts a window the in-memory limits drop to stay within ${MAX_WINDOWS_IN_MEMORY} keys, by limit`, async () => {
    const stack = await startStack({ RATE_LIMIT_SESSIONS_PER_MINUTE: '10', RATE_LIMIT_SUBJECT_SESSIONS_PER_HOUR: '10' });
    try {
      const app = stack.service.app;
      const series = samples(await scrape(app)).filter((s) => s.name === 'rate_limit_windows_dropped_early_total');
      expect(series.map((s) => [s.labels.limit, s.value])).toEqual([
        ['address', 0],
        ['subject', 0],
      ]);
      const limits = app.get(RateLimits);
      const moved = await delta(app, async () => {
        for (let i = 0; i <= MAX_WINDOWS_IN_MEMORY; i++) await limits.admitSubject(`flood-subject-${i}`);
      });
      expect([
        moved('rate_limit_windows_dropped_early_total', { limit: 'subject' }),
        moved('rate_limit_windows_dropped_early_total', { limit: 'address' }),
      ]).toEqual([1, 0]);
      expect(await scrape(app)).not.toContain('flood-subject');
    } finally {
      await stack.close();
    }
  }, 30_000);

  it('times a call to an Oz that cannot be reached under the outcome unreachable', async () => {
    const service = await startApp({ OZ_API_URL: `http://127.0.0.1:${await freePort()}` });
    try {
      const moved = await delta(service.app, async () => {
        expect((await call(`${service.url}/v1/sessions`, { method: 'POST' })).status).toBe(503);
      });
      expect(moved(OZ_COUNT, { operation: 'session_token', outcome: 'unreachable' })).toBe(1);
    } finally {
      await service.close();
    }
  });
});

describe('the metrics listener', () => {
  it('listens on METRICS_PORT when one is given, and stops with the application', async () => {
    const port = await freePort();
    const service = await startApp({ OZ_API_URL: 'http://127.0.0.1:9', METRICS_PORT: String(port) });
    expect(service.app.get(MetricsServer).port).toBe(port);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
    await service.close();
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });
});

describe('the metrics listener of the built service', () => {
  beforeAll(() => ensureBuilt());

  it('serves GET /metrics on METRICS_PORT (host 0.0.0.0) while running, and still exits 0 on SIGTERM', async () => {
    const metricsPort = await freePort();
    const service = await spawnService({ OZ_API_URL: 'http://127.0.0.1:9', METRICS_PORT: String(metricsPort) });
    try {
      const answer = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(answer.status).toBe(200);
      expect(await answer.text()).toContain('# TYPE http_server_request_duration_seconds histogram');
      expect(await service.stop('SIGTERM')).toMatchObject({ code: 0, signal: null });
    } finally {
      await service.stop('SIGKILL');
    }
  });

  it('does not start when METRICS_PORT is taken, and says which variable to change (§17)', async () => {
    const blocker = createServer();
    blocker.listen(0, '0.0.0.0');
    await once(blocker, 'listening');
    try {
      const run = await runToExit({
        OZ_API_URL: 'http://127.0.0.1:9',
        PORT: String(await freePort()),
        METRICS_PORT: String((blocker.address() as AddressInfo).port),
      });
      expect(run).toMatchObject({ code: 1, signal: null });
      const port = (blocker.address() as AddressInfo).port;
      const errors = logLines(run.stdout).filter((line) => line.level === 50);
      expect(errors).toEqual([
        expect.objectContaining({ variable: 'METRICS_PORT', port, msg: `METRICS_PORT ${port} is already in use: free it or set METRICS_PORT to another port` }),
      ]);
      expect(run.stdout).not.toMatch(/started|listening/);
    } finally {
      blocker.close();
    }
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('the condition did not hold in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
