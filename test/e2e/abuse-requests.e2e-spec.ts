import net from 'node:net';
import { startStack, type Stack } from '../app.factory';
import { buildContainer } from '../oz-emulator';
import { rawUpload } from '../support/abusive-client';
import { call, createSession, problem, uploadContainer } from './http';
import { folderCalls, livenessHead, rawExchange, viewSession } from './liveness.helpers';

jest.setTimeout(30_000);

/** Short deadlines, so that the test can watch them cut slow clients (production: 20 s for headers, 120 s per request). */
const TIMEOUTS = { requestMs: 3_000, headersMs: 1_000, checkEveryMs: 250 };

/** Writes `head` at once, then `text` one byte every `everyMs`, until the server answers or closes; resolves what came back and when. */
function trickle(url: string, text: string, everyMs: number, head = ''): Promise<{ answer: string; ms: number }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(head));
    const started = Date.now();
    let answer = '';
    let sent = 0;
    const timer = setInterval(() => (sent < text.length ? socket.write(text[sent++]) : undefined), everyMs);
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    const done = () => {
      clearInterval(timer);
      resolve({ answer, ms: Date.now() - started });
    };
    socket.on('close', done);
    socket.on('error', () => undefined);
  });
}

const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;

describe('hostile requests on the public routes (docs/reliability.md)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({}, { timeouts: TIMEOUTS });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.emulator.clearRequests());

  it('cuts a client that trickles its headers with 408 problem+json once the header deadline passed', async () => {
    const { answer, ms } = await trickle(stack.service.url, 'POST /v1/sessions HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(200), 50);

    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toMatch(/content-type: application\/problem\+json/i);
    expect(answer).toMatch(/x-request-id: [0-9a-f-]{36}/i);
    expect(bodyOf(answer)).toMatchObject({ status: 408, code: 'REQUEST_TIMEOUT' });
    expect(ms).toBeGreaterThanOrEqual(TIMEOUTS.headersMs - 100);
    expect(ms).toBeLessThan(TIMEOUTS.headersMs + TIMEOUTS.checkEveryMs * 4 + 500);
  });

  it('cuts an upload whose body trickles once the request deadline passed, and leaves the session open', async () => {
    const { sessionId, sessionToken } = await createSession(stack.service.url);
    const head = livenessHead(stack.service.url, sessionId, {
      'content-type': 'application/octet-stream',
      'content-length': '100000',
      authorization: `Bearer ${sessionToken}`,
    });

    const { answer, ms } = await trickle(stack.service.url, 'x'.repeat(10_000), 20, head);

    expect(ms).toBeGreaterThanOrEqual(TIMEOUTS.requestMs - 100);
    expect(ms).toBeLessThan(TIMEOUTS.requestMs + TIMEOUTS.checkEveryMs * 4 + 1_000);
    expect(answer === '' || /^HTTP\/1\.1 (408|400) /.test(answer)).toBe(true);
    expect(folderCalls(stack.emulator)).toHaveLength(0);
    expect((await viewSession(stack.service.url, sessionId)).body).toMatchObject({ status: 'open' });
    expect((await uploadContainer(stack.service.url, sessionId, buildContainer({ token: sessionToken }))).status).toBe(201);
  });

  it('answers headers over the size limit with 431 problem+json and an X-Request-Id', async () => {
    const answer = await rawExchange(stack.service.url, `POST /v1/sessions HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`);

    expect(answer.status).toBe(431);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.body).toEqual(problem(431, 'HEADERS_TOO_LARGE', { retryable: false }));
  });

  it('answers a request line it cannot parse with 400 problem+json', async () => {
    const answer = await rawExchange(stack.service.url, 'GARBAGE / HTTP/9.9\r\n\r\n');

    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(problem(400, 'VALIDATION_FAILED'));
  });

  it('answers a JSON body nested 2,000 levels deep with 400, not 500', async () => {
    const nested = `{"subjectId":${'['.repeat(2000)}${']'.repeat(2000)}}`;

    const answer = await call(`${stack.service.url}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: nested });

    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(problem(400, 'VALIDATION_FAILED', { retryable: false }));
  });
});

/** The third finding: knowing a session id was enough to fail it, or to attach another capture to it. */
describe('uploads that do not prove their session (docs/api.md §1)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.emulator.clearRequests());

  it('refuses a container sealed for another session, carried with that session’s token, with 401; the session stays open', async () => {
    const victim = await createSession(stack.service.url);
    const attacker = await createSession(stack.service.url);
    const swapped = buildContainer({ token: attacker.sessionToken });

    const answer = await uploadContainer(stack.service.url, victim.sessionId, swapped, { authorization: `Bearer ${attacker.sessionToken}` });

    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    expect(answer.body).toEqual(problem(401, 'UNAUTHORIZED', { retryable: false }));
    expect(folderCalls(stack.emulator)).toHaveLength(0);
    expect((await viewSession(stack.service.url, victim.sessionId)).body).toMatchObject({ status: 'open', result: null, error: null });
    expect((await uploadContainer(stack.service.url, victim.sessionId, buildContainer({ token: victim.sessionToken }))).status).toBe(201);
  });

  it('refuses a one-byte body without a token before reading it, with 401 and WWW-Authenticate; the session stays open', async () => {
    const { sessionId, sessionToken } = await createSession(stack.service.url);
    const head = livenessHead(stack.service.url, sessionId, { 'content-type': 'application/octet-stream', 'content-length': '1', authorization: '' });

    const answer = await rawExchange(stack.service.url, head);

    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toBe('Bearer');
    expect(answer.body).toEqual(problem(401, 'UNAUTHORIZED'));
    expect((await uploadContainer(stack.service.url, sessionId, buildContainer({ token: sessionToken }))).status).toBe(201);
  });

  it('refuses a one-byte body with a wrong token with 401, and does not fail the session', async () => {
    const { sessionId, sessionToken } = await createSession(stack.service.url);

    const answer = await uploadContainer(stack.service.url, sessionId, Buffer.from([0x01]), { authorization: 'Bearer guessed' });

    expect(answer.status).toBe(401);
    expect((await viewSession(stack.service.url, sessionId)).body).toMatchObject({ status: 'open', error: null });
    expect((await uploadContainer(stack.service.url, sessionId, buildContainer({ token: sessionToken }))).status).toBe(201);
  });

  it('answers 401 for a missing token before 415 and 413, as docs/api.md §3 orders them', async () => {
    const { sessionId } = await createSession(stack.service.url);

    const outcome = await rawUpload({
      url: stack.service.url,
      path: `/v1/sessions/${sessionId}/liveness`,
      headers: { 'content-type': 'text/plain', 'content-length': String(1024 ** 3) },
      bodyBytes: 1024,
    });
    outcome.socket.destroy();

    expect(outcome.status).toBe(401);
  });

  it('answers 404 for an unknown session before it looks at the token, and 401 for a wrong token before 410 and 409', async () => {
    const { sessionId, sessionToken } = await createSession(stack.service.url);
    await uploadContainer(stack.service.url, sessionId, buildContainer({ token: sessionToken }));

    const wrongOnCompleted = await uploadContainer(stack.service.url, sessionId, buildContainer({ token: sessionToken }), { authorization: 'Bearer wrong' });
    stack.service.clock.advance(901_000);
    const { sessionId: openId } = await createSession(stack.service.url);
    const wrongOnExpired = await uploadContainer(stack.service.url, openId, Buffer.from('x'), { authorization: 'Bearer wrong' });

    const unknown = await uploadContainer(stack.service.url, '3f1c1f8e-8f5e-4d0e-9a52-1f2d3c4b5a69', Buffer.from('x'), { authorization: 'Bearer wrong' });

    expect(unknown.status).toBe(404);
    expect(wrongOnCompleted.status).toBe(401);
    expect(wrongOnExpired.status).toBe(401);
  });
});
