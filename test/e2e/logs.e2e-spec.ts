import { buildContainer, buildReferenceImage, type OzEmulator, startOzEmulator } from '../oz-emulator';
import { type Answer, call, rememberSessionToken, uploadContainer } from './http';
import {
  biometryForm,
  ensureBuilt,
  middleSample,
  sampleForms,
  jwtSecretParts,
  logLines,
  occurrences,
  type RunningService,
  spawnService,
  textForms,
} from './ops.helpers';

jest.setTimeout(60_000);

const API_KEY = 'internal-key-7f3a9c1e5b';
const WRONG_KEY = 'wrong-key-d41d8cd98f00';
const OZ_ACCESS_TOKEN = 'oz-forensic-access-0b8e2c4d6f';
const LIVENESS_KEYS = ['attemptsRemaining', 'completedAt', 'decision', 'eventSessionId', 'folderId', 'reason', 'receipt', 'sessionId', 'status'];
const PROBLEM_KEYS = ['code', 'detail', 'ozErrorCode', 'requestId', 'retryable', 'status', 'title', 'type'];
/** Start-up lines (where the service listens, the receipt key's warning), which belong to no request. */
const LIFECYCLE_CONTEXTS = ['Startup', 'ReceiptSigner'];

interface Sent {
  requestId: string;
  answer: Answer;
}

/**
 * One full run of the built service at LOG_LEVEL=trace, over real HTTP, through the happy path
 * and the error paths; then every byte it wrote to stdout and stderr is searched for secrets.
 */
describe('the logs of a full run (docs/api.md §6)', () => {
  let emulator: OzEmulator;
  let service: RunningService;
  let output: string;
  let outputBytes: Buffer;
  const sent: Sent[] = [];
  const secrets: Record<string, string[]> = {};
  /** Raw byte runs that must not occur in the binary output. */
  const rawSamples: Record<string, Buffer> = {};
  const analyses: { requestId: string; analysis: 'liveness' | 'biometry'; sessionId: string }[] = [];

  async function send(requestId: string, path: string, init: RequestInit = {}): Promise<Answer> {
    const answer = await call(`${service.url}${path}`, { ...init, headers: { 'x-request-id': requestId, ...(init.headers as Record<string, string>) } });
    sent.push({ requestId, answer });
    return answer;
  }

  async function newSession(requestId: string): Promise<{ sessionId: string; sessionToken: string }> {
    const answer = await send(requestId, '/v1/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"subjectId":"customer-7"}',
    });
    expect(answer.status).toBe(201);
    secrets[`session token of ${requestId}`] = jwtSecretParts(answer.body.sessionToken);
    rememberSessionToken(answer.body.sessionId, answer.body.sessionToken);
    return answer.body;
  }

  function keepContainer(name: string, container: Buffer): void {
    secrets[`container ${name}`] = [...sampleForms(middleSample(container)), ...textForms(container.subarray(0, 48)), 'OZEMUCAP'];
    rawSamples[`container ${name}`] = middleSample(container);
  }

  function keepImage(name: string, image: Buffer): void {
    const base64 = image.toString('base64');
    secrets[`${name} image`] = [base64, base64.slice(0, 32), ...sampleForms(middleSample(image))];
    rawSamples[`${name} image`] = middleSample(image);
  }

  async function liveness(requestId: string, sessionId: string, container: Buffer): Promise<Answer> {
    const answer = await uploadContainer(service.url, sessionId, container, { 'x-request-id': requestId });
    sent.push({ requestId, answer });
    return answer;
  }

  beforeAll(async () => {
    ensureBuilt();
    emulator = await startOzEmulator({ accessToken: OZ_ACCESS_TOKEN });
    service = await spawnService({ OZ_API_URL: emulator.url, OZ_ACCESS_TOKEN, INTERNAL_API_KEYS: `other-key,${API_KEY}`, LOG_LEVEL: 'trace' });
    secrets['internal API key'] = [API_KEY];
    secrets['wrong API key'] = [WRONG_KEY];
    secrets['Oz access token'] = [OZ_ACCESS_TOKEN];

    // The happy path: token, container, internal read, best shot, face match.
    const first = await newSession('logs-session-1');
    const container = buildContainer({ token: first.sessionToken });
    keepContainer('accepted', container);
    expect((await liveness('logs-live-1', first.sessionId, container)).status).toBe(201);
    analyses.push({ requestId: 'logs-live-1', analysis: 'liveness', sessionId: first.sessionId });
    expect((await liveness('logs-replay-1', first.sessionId, container)).status).toBe(200);
    expect((await send('logs-view-1', `/v1/sessions/${first.sessionId}`, { headers: { authorization: `Bearer ${API_KEY}` } })).status).toBe(200);
    const bestShot = await send('logs-best-1', `/v1/sessions/${first.sessionId}/best-shot`, { headers: { 'x-api-key': API_KEY } });
    expect(bestShot.status).toBe(200);
    keepImage('best-shot', bestShot.bytes);
    const reference = buildReferenceImage('person-1');
    keepImage('reference', reference);
    const matched = await send('logs-bio-1', `/v1/sessions/${first.sessionId}/biometry`, {
      method: 'POST',
      headers: { 'x-api-key': API_KEY },
      body: biometryForm(reference),
    });
    expect(matched.status).toBe(201);
    analyses.push({ requestId: 'logs-bio-1', analysis: 'biometry', sessionId: first.sessionId });
    emulator.armFault({ kind: 'status', status: 500, route: 'folders' });
    const matchFault = await send('logs-bio-5xx', `/v1/sessions/${first.sessionId}/biometry`, {
      method: 'POST',
      headers: { 'x-api-key': API_KEY },
      body: biometryForm(reference, 'selfie'),
    });
    expect(matchFault.status).toBe(502);
    analyses.push({ requestId: 'logs-bio-5xx', analysis: 'biometry', sessionId: first.sessionId });

    // A container Oz rejects (code 14), and an upstream 5xx.
    const second = await newSession('logs-session-2');
    const tampered = buildContainer({ token: second.sessionToken, scenario: 'tampered' });
    keepContainer('tampered', tampered);
    expect((await liveness('logs-tampered', second.sessionId, tampered)).status).toBe(422);
    analyses.push({ requestId: 'logs-tampered', analysis: 'liveness', sessionId: second.sessionId });
    const third = await newSession('logs-session-3');
    const unlucky = buildContainer({ token: third.sessionToken });
    keepContainer('hit by a 5xx', unlucky);
    emulator.armFault({ kind: 'status', status: 500, route: 'folders' });
    expect((await liveness('logs-live-5xx', third.sessionId, unlucky)).status).toBe(502);
    analyses.push({ requestId: 'logs-live-5xx', analysis: 'liveness', sessionId: third.sessionId });

    // Oz failing to issue a session token.
    emulator.armFault({ kind: 'status', status: 503, route: 'token' });
    expect((await send('logs-token-5xx', '/v1/sessions', { method: 'POST' })).status).toBe(502);

    // Refused callers and a lost one.
    expect((await send('logs-badkey-1', `/v1/sessions/${first.sessionId}`, { headers: { 'x-api-key': WRONG_KEY } })).status).toBe(401);
    const badBearer = await send('logs-badkey-2', `/v1/sessions/${first.sessionId}/biometry`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WRONG_KEY}` },
      body: biometryForm(reference),
    });
    expect(badBearer.status).toBe(401);
    expect((await send('logs-unknown', '/v1/nowhere')).status).toBe(404);
    // A client that put a secret in a query string: request lines log the path only.
    secrets['query-string token'] = ['query-secret-5e1f9a'];
    expect((await send('logs-query', `/v1/sessions/${first.sessionId}/nowhere?sessionToken=query-secret-5e1f9a`)).status).toBe(404);
    // A liveness upload with the wrong bearer token: the token is never logged either.
    secrets['wrong bearer token'] = ['guessed-bearer-7c2d'];
    const wrongBearer = await uploadContainer(service.url, first.sessionId, container, {
      'x-request-id': 'logs-wrong-bearer',
      authorization: 'Bearer guessed-bearer-7c2d',
    });
    expect(wrongBearer.status).toBe(401);
    sent.push({ requestId: 'logs-wrong-bearer', answer: wrongBearer });

    const exit = await service.stop('SIGTERM');
    expect(exit.code).toBe(0);
    output = service.output();
    outputBytes = service.outputBytes();
  });

  afterAll(async () => {
    await service?.stop('SIGKILL');
    await emulator?.close();
  });

  it('contains no session token, container byte, image, API key or Oz access token', () => {
    expect(output.length).toBeGreaterThan(0);
    expect(occurrences(output, secrets)).toEqual([]);
  });

  it('contains no raw run of container or image bytes', () => {
    expect(
      Object.entries(rawSamples)
        .filter(([, sample]) => outputBytes.includes(sample))
        .map(([what]) => what),
    ).toEqual([]);
  });

  it('writes only JSON log lines', () => {
    expect(logLines(output).filter((line) => 'raw' in line)).toEqual([]);
  });

  it('writes exactly one analysis line per Oz analysis, with the fields of docs/api.md §6', () => {
    const lines = logLines(output).filter((line) => typeof line.analysis === 'string');

    expect(lines.map((line) => [line.analysis, line.requestId])).toEqual(analyses.map((a) => [a.analysis, a.requestId]));
    for (const line of lines) {
      expect(line).toEqual(
        expect.objectContaining({
          requestId: expect.any(String),
          sessionId: analyses.find((a) => a.requestId === line.requestId)?.sessionId,
          folderId: nullOr('string'),
          eventSessionId: nullOr('string'),
          ozStatus: expect.any(Number),
          ozErrorCode: nullOr('number'),
          decision: nullOr('accepted', 'rejected', 'inconclusive'),
          durationMs: expect.any(Number),
        }),
      );
    }
  });

  it('records the outcome of each analysis in its line', () => {
    const byRequest = Object.fromEntries(
      logLines(output)
        .filter((line) => typeof line.analysis === 'string')
        .map((line) => [line.requestId, line]),
    );
    const accepted = sent.find((s) => s.requestId === 'logs-live-1')!.answer.body;

    expect(byRequest['logs-live-1']).toMatchObject({
      folderId: accepted.folderId,
      eventSessionId: accepted.eventSessionId,
      ozStatus: 201,
      ozErrorCode: null,
      decision: 'accepted',
    });
    expect(byRequest['logs-bio-1']).toMatchObject({
      folderId: expect.any(String),
      eventSessionId: accepted.eventSessionId,
      ozStatus: 201,
      ozErrorCode: null,
      decision: 'accepted',
    });
    expect(byRequest['logs-bio-5xx']).toMatchObject({ folderId: null, ozStatus: 500, decision: null });
    expect(byRequest['logs-tampered']).toMatchObject({ folderId: null, ozStatus: 400, ozErrorCode: 14, decision: null });
    expect(byRequest['logs-live-5xx']).toMatchObject({ folderId: null, ozStatus: 500, decision: null });
  });

  it('puts the X-Request-Id of the request on every line logged for it', () => {
    const sentIds = new Set(sent.map((s) => s.requestId));
    const lines = logLines(output);
    const requestLines = lines.filter((line) => !LIFECYCLE_CONTEXTS.includes(line.context as string) && !isProbe(line));

    expect(requestLines.filter((line) => !sentIds.has(line.requestId as string))).toEqual([]);
    // Request lines (req, res) name the request too, never another one.
    for (const line of lines.filter((l) => typeof l.req === 'object' && l.req !== null)) {
      expect(sentIds.has(line.requestId as string)).toBe(true);
    }
    for (const id of sentIds) expect(lines.some((line) => line.requestId === id)).toBe(true);
  });

  it('writes each field once per line, as log pipelines refuse duplicate keys', () => {
    const duplicated = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .filter((line) => new Set(topLevelKeys(line)).size !== topLevelKeys(line).length);

    expect(duplicated).toEqual([]);
  });

  it('does not log Kubernetes probes, which would drown the analysis lines', () => {
    expect(logLines(output).filter(isProbe)).toEqual([]);
  });

  it('logs requests at error (5xx), info (4xx) and debug (2xx, 3xx) level, failures without a stack', () => {
    const completions = logLines(output).filter((line) => typeof line.req === 'object' && line.req !== null && !isProbe(line));
    const failed = completions.filter((line) => (line.res as { statusCode: number }).statusCode >= 500);

    expect(failed.map((line) => line.requestId).sort()).toEqual(['logs-bio-5xx', 'logs-live-5xx', 'logs-token-5xx']);
    for (const line of failed) {
      expect(line.level).toBe(50);
      expect(JSON.stringify(line)).not.toContain('stack');
    }
    const status = (line: Record<string, unknown>) => (line.res as { statusCode: number }).statusCode;
    const levelOf = (code: number) => (code >= 500 ? 50 : code >= 400 ? 30 : 20);
    expect(completions.filter((line) => line.level !== levelOf(status(line)))).toEqual([]);
    expect(completions.some((line) => status(line) < 400)).toBe(true);
  });

  it('names the problem code of every error answer in its request line (§17)', () => {
    const refused = logLines(output).filter(
      (line) => typeof line.req === 'object' && line.req !== null && (line.res as { statusCode: number }).statusCode >= 400,
    );
    const answered = Object.fromEntries(sent.filter((s) => s.answer.status >= 400).map((s) => [s.requestId, s.answer.body.code]));

    expect(refused.map((line) => [line.requestId, line.code]).sort()).toEqual(Object.entries(answered).sort());
    expect(logLines(output).filter((line) => (line.res as { statusCode?: number } | undefined)?.statusCode === 200 && 'code' in line)).toEqual([]);
  });

  it('writes one line for every Oz call that did not succeed: operation, outcome, status, code, duration; error when Oz failed, info when it refused the data', () => {
    const lines = logLines(output).filter((line) => typeof line.ozOperation === 'string');

    expect(lines.map((line) => [line.requestId, line.ozOperation, line.ozOutcome, line.ozStatus, line.ozErrorCode, line.level])).toEqual([
      ['logs-bio-5xx', 'biometry', 'oz_error', 500, 0, 50],
      ['logs-tampered', 'liveness', 'oz_error', 400, 14, 30],
      ['logs-live-5xx', 'liveness', 'oz_error', 500, 0, 50],
      ['logs-token-5xx', 'session_token', 'oz_error', 503, 0, 50],
    ]);
    for (const line of lines) expect(line.durationMs).toEqual(expect.any(Number));
  });

  it('answers the public liveness route with exactly the decision fields, never a score or image', () => {
    const answers = sent.filter((s) => s.requestId.startsWith('logs-live-1') || s.requestId === 'logs-replay-1');

    for (const { answer } of answers) expect(Object.keys(answer.body).sort()).toEqual(LIVENESS_KEYS);
  });

  it('answers every error as problem+json without a token, key, score or image', () => {
    const errors = sent.filter((s) => s.answer.status >= 400);

    expect(errors.map((s) => s.answer.status).sort()).toEqual([401, 401, 401, 404, 404, 422, 502, 502, 502]);
    for (const { requestId, answer } of errors) {
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(PROBLEM_KEYS).toEqual(expect.arrayContaining(Object.keys(answer.body)));
      expect(answer.body.requestId).toBe(requestId);
      expect(occurrences(answer.bytes.toString('utf8'), secrets)).toEqual([]);
    }
  });

  it('keeps every secret out of every answer but the one meant to carry it', () => {
    const { ['session token of logs-session-1']: _1, ['session token of logs-session-2']: _2, ['session token of logs-session-3']: _3, ...others } = secrets;
    const answers = sent.filter((s) => !s.requestId.startsWith('logs-session-') && s.requestId !== 'logs-best-1');

    for (const { answer } of answers) expect(occurrences(answer.bytes.toString('latin1'), secrets)).toEqual([]);
    for (const { requestId, answer } of sent.filter((s) => s.requestId.startsWith('logs-session-'))) {
      expect(occurrences(answer.bytes.toString('utf8'), others)).toEqual([]);
      const ownToken = `session token of ${requestId}`;
      const foreign = Object.fromEntries(Object.entries(secrets).filter(([what]) => what.startsWith('session token') && what !== ownToken));
      expect(occurrences(answer.bytes.toString('utf8'), foreign)).toEqual([]);
    }
  });
});

/** An asymmetric matcher: null, a value of one of these `typeof` types, or one of these exact strings. */
function nullOr(...allowed: string[]) {
  return {
    asymmetricMatch: (value: unknown) => value === null || allowed.includes(typeof value) || (typeof value === 'string' && allowed.includes(value)),
    toAsymmetricMatcher: () => `null or ${allowed.join(' | ')}`,
  };
}

/** The keys of a one-line JSON object at depth 1, duplicates included (JSON.parse would hide them). */
function topLevelKeys(line: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (char === '"') {
      let end = i + 1;
      while (line[end] !== '"') end += line[end] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) keys.push(line.slice(i + 1, end));
      expectKey = false;
      i = end;
    } else if (char === '{' || char === '[') {
      depth++;
      expectKey = char === '{' && depth === 1;
    } else if (char === '}' || char === ']') depth--;
    else if (char === ',' && depth === 1) expectKey = true;
  }
  return keys;
}

/** Kubernetes-style probes of the spawn helper carry no request id of ours. */
function isProbe(line: Record<string, unknown>): boolean {
  const url = (line.req as { url?: string } | undefined)?.url;
  return typeof url === 'string' && url.startsWith('/health/');
}
