import { API_KEY, startStack, type Stack } from '../app.factory';
import { buildReferenceImage } from '../oz-emulator';
import { type Answer, call } from './http';
import { analysedSession, expectProblem, rawExchange, referenceForm } from './internal.helpers';

type InternalRoute = { name: string; send: (url: string, sessionId: string, headers: Record<string, string>) => Promise<Answer>; success: number };

const ROUTES: InternalRoute[] = [
  { name: 'GET /v1/sessions/{id}', send: (url, id, headers) => call(`${url}/v1/sessions/${id}`, { headers }), success: 200 },
  { name: 'GET /v1/sessions/{id}/best-shot', send: (url, id, headers) => call(`${url}/v1/sessions/${id}/best-shot`, { headers }), success: 200 },
  {
    name: 'POST /v1/sessions/{id}/biometry',
    send: (url, id, headers) =>
      call(`${url}/v1/sessions/${id}/biometry`, { method: 'POST', headers, body: referenceForm(buildReferenceImage('person-1'), 'selfie') }),
    success: 201,
  },
];

function expectUnauthorized(answer: Answer): void {
  expectProblem(answer, 401, 'UNAUTHORIZED', { retryable: false });
  expect(answer.headers.get('www-authenticate')).toBe('Bearer');
}

describe('internal routes: API key', () => {
  let stack: Stack;
  let sessionId: string;

  beforeAll(async () => {
    stack = await startStack({ INTERNAL_API_KEYS: `${API_KEY}, second-key` });
    ({ sessionId } = await analysedSession(stack.service.url, { person: 'person-1' }));
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.emulator.clearRequests());

  describe.each(ROUTES)('$name', ({ send, success }) => {
    it('answers 401 UNAUTHORIZED with WWW-Authenticate: Bearer when no key is sent', async () => {
      const answer = await send(stack.service.url, sessionId, {});

      expectUnauthorized(answer);
      expect(stack.emulator.requests()).toHaveLength(0);
    });

    it.each([
      ['a wrong X-Api-Key', { 'x-api-key': 'not-the-key' }],
      ['a wrong Bearer key', { authorization: 'Bearer not-the-key' }],
      ['a prefix of the real key', { 'x-api-key': API_KEY.slice(0, -1) }],
      ['the real key with a suffix', { authorization: `Bearer ${API_KEY}x` }],
      ['the real key under the Basic scheme', { authorization: `Basic ${API_KEY}` }],
      ['the real key without a scheme', { authorization: API_KEY }],
      ['an empty Bearer', { authorization: 'Bearer ' }],
    ])('answers 401 UNAUTHORIZED for %s', async (_, headers) => {
      const answer = await send(stack.service.url, sessionId, headers);

      expectUnauthorized(answer);
      expect(stack.emulator.requests()).toHaveLength(0);
    });

    it.each([
      ['Authorization: Bearer <key>', { authorization: `Bearer ${API_KEY}` }],
      ['X-Api-Key: <key>', { 'x-api-key': API_KEY }],
      ['the second configured key', { 'x-api-key': 'second-key' }],
    ])('serves the call when the key comes as %s', async (_, headers) => {
      const answer = await send(stack.service.url, sessionId, headers);

      expect(answer.status).toBe(success);
      expect(answer.headers.get('www-authenticate')).toBeNull();
    });

    it('answers 401, not 400, for a session id that is not a UUID when no key is sent', async () => {
      const answer = await send(stack.service.url, 'not-a-uuid', {});

      expectUnauthorized(answer);
    });

    it('answers 401, not 404, for an unknown session when no key is sent', async () => {
      const answer = await send(stack.service.url, '00000000-0000-4000-8000-000000000000', {});

      expectUnauthorized(answer);
    });
  });

  it('answers 401, not 415, to a biometry call with a bad key and a JSON body', async () => {
    const answer = await call(`${stack.service.url}/v1/sessions/${sessionId}/biometry`, {
      method: 'POST',
      headers: { 'x-api-key': 'wrong', 'content-type': 'application/json' },
      body: '{"reference":"x"}',
    });

    expectUnauthorized(answer);
    expect(stack.emulator.requests()).toHaveLength(0);
  });

  it('answers 401 before reading a biometry body declared far over every limit that never arrives', async () => {
    const { host } = new URL(stack.service.url);
    const head =
      `POST /v1/sessions/${sessionId}/biometry HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer wrong\r\n` +
      'Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 1073741824\r\n\r\n';

    const answer = await rawExchange(stack.service.url, head);

    expect(answer.status).toBe(401);
    expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(answer.headers['www-authenticate']).toBe('Bearer');
    expect(JSON.parse(answer.body)).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    expect(stack.emulator.requests()).toHaveLength(0);
  });

  it('serves the public liveness and session routes without a key', async () => {
    const { upload } = await analysedSession(stack.service.url);

    expect(upload.status).toBe(201);
  });
});

describe.each([
  ['empty', ''],
  ['only separators and blanks', ' , ,'],
])('internal routes when INTERNAL_API_KEYS is %s', (_, keys) => {
  let stack: Stack;
  let sessionId: string;

  beforeAll(async () => {
    stack = await startStack({ INTERNAL_API_KEYS: keys });
    ({ sessionId } = await analysedSession(stack.service.url));
  });
  afterAll(() => stack.close());

  it.each(ROUTES.map((route) => [route.name, route] as const))('refuses %s with 401 whatever key is sent', async (_name, route) => {
    const attempts: Record<string, string>[] = [
      {},
      { 'x-api-key': API_KEY },
      { authorization: `Bearer ${API_KEY}` },
      { 'x-api-key': '' },
      { authorization: 'Bearer ' },
    ];
    for (const headers of attempts) {
      const answer = await route.send(stack.service.url, sessionId, headers);

      expectUnauthorized(answer);
    }
  });
});
