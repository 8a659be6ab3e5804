import { request as httpRequest } from 'node:http';
import net from 'node:net';
import { API_KEY, startStack, type Stack } from '../app.factory';
import { buildReferenceImage } from '../oz-emulator';
import { call, createSession, internal, problem } from './http';
import { analysedSession, expectProblem, matchFaces, referenceForm, viewSession } from './internal.helpers';
import { livenessUrl, sessionWithContainer } from './liveness.helpers';

const UNKNOWN_SESSION = '3d0f6a55-1c2b-4e8f-9a7d-6b5c4e3f2a10';

/**
 * INTERNAL_PORT (docs/api.md §16): internal routes on a listener of their own, so that a network
 * policy can keep them from the internet; public routes, the JWKS and the API document on PORT
 * only; the probes on both.
 */
describe('INTERNAL_PORT', () => {
  let stack: Stack;
  let publicUrl: string;
  let internalUrl: string;

  beforeAll(async () => {
    stack = await startStack({ INTERNAL_PORT: '3001' });
    publicUrl = stack.service.url;
    internalUrl = stack.service.internalUrl ?? '';
  });
  afterAll(() => stack.close());

  it('serves the internal routes on the internal port, still behind their key, and answers 404 for them on PORT', async () => {
    const { sessionId } = await analysedSession(publicUrl, { person: 'listener-person' });

    const onInternal = await viewSession(internalUrl, sessionId);
    const withoutKey = await viewSession(internalUrl, sessionId, {});
    const onPublic = await viewSession(publicUrl, sessionId);
    const bestShotOnPublic = await call(`${publicUrl}/v1/sessions/${sessionId}/best-shot`, { headers: internal() });
    const matched = await matchFaces(internalUrl, sessionId, referenceForm(buildReferenceImage('listener-person')));

    expect({ status: onInternal.status, sessionId: onInternal.body.sessionId }).toEqual({ status: 200, sessionId });
    expectProblem(withoutKey, 401, 'UNAUTHORIZED');
    expectProblem(onPublic, 404, 'ROUTE_NOT_FOUND');
    expectProblem(bestShotOnPublic, 404, 'ROUTE_NOT_FOUND');
    expect({ status: matched.status, decision: matched.body.result.decision }).toEqual({ status: 201, decision: 'accepted' });
  });

  it('serves the public routes, the JWKS and the API document on PORT only', async () => {
    const paths = ['/.well-known/jwks.json', '/openapi.json'];
    const onPublic = await Promise.all(paths.map((path) => call(`${publicUrl}${path}`)));
    const onInternal = await Promise.all(paths.map((path) => call(`${internalUrl}${path}`)));
    const created = await call(`${internalUrl}/v1/sessions`, { method: 'POST' });

    expect(onPublic.map((answer) => answer.status)).toEqual([200, 200]);
    for (const answer of onInternal) expectProblem(answer, 404, 'ROUTE_NOT_FOUND');
    expectProblem(created, 404, 'ROUTE_NOT_FOUND');
    expect((await createSession(publicUrl)).sessionId).toEqual(expect.any(String));
  });

  it('answers the probes on both ports', async () => {
    const answers = await Promise.all([publicUrl, internalUrl].flatMap((url) => ['/health/live', '/health/ready'].map((path) => call(`${url}${path}`))));

    expect(answers.map((answer) => [answer.status, answer.body.status])).toEqual(Array(4).fill([200, 'ok']));
  });

  it('answers 404, not 405, on PORT for another method of an internal path', async () => {
    expectProblem(await call(`${publicUrl}/v1/sessions/${UNKNOWN_SESSION}`, { method: 'DELETE', headers: internal() }), 404, 'ROUTE_NOT_FOUND');
  });
});

/** The head of a request with `Expect: 100-continue`, and what came back before any body was sent. */
function expectContinue(url: string, path: string, headers: Record<string, string>): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let received = '';
    const lines = Object.entries({ host: `${hostname}:${port}`, expect: '100-continue', ...headers }).map(([name, value]) => `${name}: ${value}`);
    socket.on('connect', () => socket.write(`POST ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (/\r\n\r\n[\s\S]*\}$/.test(received) || /^HTTP\/1\.1 100/.test(received)) {
        socket.destroy();
        resolve(received);
      }
    });
    socket.on('error', reject);
  });
}

describe('HTTP hygiene', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it.each([
    ['GET', '/v1/sessions', 'POST'],
    ['PUT', `/v1/sessions/${UNKNOWN_SESSION}/liveness`, 'POST'],
    ['DELETE', `/v1/sessions/${UNKNOWN_SESSION}`, 'GET, HEAD'],
    ['POST', '/health/live', 'GET, HEAD'],
  ])('answers %s %s with 405 METHOD_NOT_ALLOWED and Allow: %s', async (method, path, allow) => {
    const answer = await call(`${stack.service.url}${path}`, { method, headers: internal() });

    expectProblem(answer, 405, 'METHOD_NOT_ALLOWED', { retryable: false });
    expect(answer.headers.get('allow')).toBe(allow);
  });

  it('still answers 404 ROUTE_NOT_FOUND for a path no route serves', async () => {
    expectProblem(await call(`${stack.service.url}/v1/nothing-here`, { method: 'DELETE' }), 404, 'ROUTE_NOT_FOUND');
  });

  it('refuses a request with two Authorization headers with 400 VALIDATION_FAILED, even when the first carries a valid key', async () => {
    const { hostname, port } = new URL(stack.service.url);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), hostname, () =>
        socket.write(
          `GET /v1/sessions/${UNKNOWN_SESSION} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${API_KEY}\r\nAuthorization: Bearer other\r\nConnection: close\r\n\r\n`,
        ),
      );
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
    });

    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual(problem(400, 'VALIDATION_FAILED'));
  });

  it.each([
    ['no bearer token', {}, 401],
    ['an unknown session', { authorization: 'Bearer token-of-no-session' }, 404],
  ])('answers an upload that expects 100-continue with %s with its refusal, never 100 Continue', async (_, headers: Record<string, string>, status) => {
    const sessionId = status === 404 ? UNKNOWN_SESSION : (await createSession(stack.service.url)).sessionId;

    const answer = await expectContinue(stack.service.url, `/v1/sessions/${sessionId}/liveness`, {
      'content-type': 'application/octet-stream',
      'content-length': '4096',
      ...headers,
    });

    expect(answer).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(answer).not.toMatch(/100 Continue/);
  });

  it('sends 100 Continue once the checks before the body passed, and then takes the container', async () => {
    const { sessionId, sessionToken, container } = await sessionWithContainer(stack.service.url);

    const outcome = await new Promise<{ continued: boolean; status: number }>((resolve, reject) => {
      let continued = false;
      const upload = httpRequest(livenessUrl(stack.service.url, sessionId), {
        method: 'POST',
        headers: {
          'content-type': 'application/octet-stream',
          'content-length': container.length,
          authorization: `Bearer ${sessionToken}`,
          expect: '100-continue',
        },
      });
      upload.on('continue', () => {
        continued = true;
        upload.end(container);
      });
      upload.on('response', (response) => {
        response.resume();
        response.on('end', () => resolve({ continued, status: response.statusCode ?? 0 }));
      });
      upload.on('error', reject);
    });

    expect(outcome).toEqual({ continued: true, status: 201 });
  });
});
