import { startApp, startStack, type Stack, type TestApp } from '../app.factory';
import { buildContainer, type OzEmulator, startOzEmulator } from '../oz-emulator';
import { type RedisServer, startRedisServer } from '../support/redis-server';
import { sharedStateEnv } from '../support/replica-env';
import { type Answer, call, createSession, problem, uploadContainer } from './http';
import { folderCalls, viewSession } from './liveness.helpers';
import { IN_MEMORY_STORE_OPTIONS } from '../../src/session/in-memory-session.store';

jest.setTimeout(30_000);

const tokenCalls = (emulator: OzEmulator) => emulator.requests().filter((request) => request.path.startsWith('/api/authorize/session_token')).length;
const post = (url: string, headers: Record<string, string> = {}, body?: unknown) =>
  call(`${url}/v1/sessions`, {
    method: 'POST',
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function flood(url: string, count: number, headers: (i: number) => Record<string, string> = () => ({}), body?: unknown): Promise<Answer[]> {
  const answers: Answer[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) answers.push(await post(url, headers(next++), body));
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return answers;
}

const statuses = (answers: Answer[]) => answers.map((answer) => answer.status).sort();

/** The second finding (docs/reliability.md): one client filled the store and every later session was refused for a day. */
describe('POST /v1/sessions under a flood (docs/api.md §8)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ RATE_LIMIT_SESSIONS_PER_MINUTE: '20', RATE_LIMIT_SUBJECT_SESSIONS_PER_HOUR: '3' });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.emulator.clearRequests());

  it('admits 20 of 60 calls from one address, refuses the rest with 429 before Oz is called, and counts only what it admitted', async () => {
    const answers = await flood(stack.service.url, 60);

    expect(statuses(answers)).toEqual([...Array(20).fill(201), ...Array(40).fill(429)]);
    expect(tokenCalls(stack.emulator)).toBe(20);
    const refused = answers.find((answer) => answer.status === 429) as Answer;
    expect(refused.body).toEqual(problem(429, 'RATE_LIMITED', { retryable: true }));
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    for (const answer of answers) {
      expect(answer.headers.get('ratelimit-limit')).toBe('20');
      expect(Number(answer.headers.get('ratelimit-remaining'))).toBeGreaterThanOrEqual(0);
      expect(Number(answer.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(1);
    }
    expect(
      answers
        .filter((answer) => answer.status === 201)
        .map((answer) => Number(answer.headers.get('ratelimit-remaining')))
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('ignores X-Forwarded-For without TRUST_PROXY: a client cannot buy itself new budgets', async () => {
    const answer = await post(stack.service.url, { 'x-forwarded-for': '203.0.113.9' });

    expect(answer.status).toBe(429);
    expect(tokenCalls(stack.emulator)).toBe(0);
  });
});

describe('POST /v1/sessions per subject (docs/api.md §8)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ RATE_LIMIT_SESSIONS_PER_MINUTE: '0', RATE_LIMIT_SUBJECT_SESSIONS_PER_HOUR: '3' });
  });
  afterAll(() => stack.close());

  it('refuses the fourth session of one subject within the hour with 429 and no Oz call, while other subjects go on', async () => {
    const answers = await flood(stack.service.url, 4, () => ({}), { subjectId: 'customer-flood' });
    const before = tokenCalls(stack.emulator);
    const other = await post(stack.service.url, {}, { subjectId: 'customer-other' });

    expect(statuses(answers)).toEqual([201, 201, 201, 429]);
    expect(answers.find((answer) => answer.status === 429)?.body).toEqual(problem(429, 'RATE_LIMITED', { retryable: true }));
    expect(before).toBe(3);
    expect(other.status).toBe(201);
  });

  it('checks the subject after validation: a malformed body is 400 and costs the subject nothing', async () => {
    expect((await post(stack.service.url, {}, { subjectId: 'customer-valid', extra: 1 })).status).toBe(400);
    expect(statuses(await flood(stack.service.url, 3, () => ({}), { subjectId: 'customer-valid' }))).toEqual([201, 201, 201]);
  });
});

describe('POST /v1/sessions behind a trusted proxy (TRUST_PROXY)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ RATE_LIMIT_SESSIONS_PER_MINUTE: '2', TRUST_PROXY: '127.0.0.1' });
  });
  afterAll(() => stack.close());

  it('gives each forwarded client address its own budget', async () => {
    const first = await flood(stack.service.url, 3, () => ({ 'x-forwarded-for': '198.51.100.1' }));
    const second = await flood(stack.service.url, 3, () => ({ 'x-forwarded-for': '198.51.100.2' }));

    expect(statuses(first)).toEqual([201, 201, 429]);
    expect(statuses(second)).toEqual([201, 201, 429]);
  });
});

describe('the rate limits with Redis', () => {
  let redis: RedisServer;
  let emulator: OzEmulator;
  let replicas: TestApp[];

  beforeAll(async () => {
    redis = await startRedisServer();
    emulator = await startOzEmulator();
    const env = sharedStateEnv(redis.url, { OZ_API_URL: emulator.url, RATE_LIMIT_SESSIONS_PER_MINUTE: '10' });
    replicas = await Promise.all([startApp(env), startApp(env)]);
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
    await emulator.close();
    await redis.stop();
  });

  it('holds for all replicas together: 10 sessions a minute from one address across two replicas', async () => {
    const answers = [...(await flood(replicas[0].url, 8)), ...(await flood(replicas[1].url, 8))];

    expect(statuses(answers)).toEqual([...Array(10).fill(201), ...Array(6).fill(429)]);
    expect(tokenCalls(emulator)).toBe(10);
  });
});

describe('the in-memory store when it is full', () => {
  const MAX_SESSIONS = 4;
  let stack: Stack;

  beforeEach(async () => {
    stack = await startStack({ RESULT_TTL_SECONDS: '3600' }, { providers: [{ provide: IN_MEMORY_STORE_OPTIONS, useValue: { maxSessions: MAX_SESSIONS } }] });
  });
  afterEach(() => stack.close());

  it('makes room by dropping the oldest session that never took a container', async () => {
    const sessions = [];
    for (let i = 0; i <= MAX_SESSIONS; i++) sessions.push(await createSession(stack.service.url));

    expect((await viewSession(stack.service.url, sessions[0].sessionId)).status).toBe(404);
    expect((await viewSession(stack.service.url, sessions[MAX_SESSIONS].sessionId)).status).toBe(200);
  });

  it('refuses with 503 SERVICE_BUSY, an honest Retry-After and no Oz token call when it holds only results', async () => {
    for (let i = 0; i < MAX_SESSIONS; i++) {
      const { sessionId, sessionToken } = await createSession(stack.service.url);
      expect((await uploadContainer(stack.service.url, sessionId, buildContainer({ token: sessionToken }))).status).toBe(201);
    }
    stack.emulator.clearRequests();

    const refused = await post(stack.service.url);

    expect(refused.body).toEqual(problem(503, 'SERVICE_BUSY', { retryable: true }));
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(3500);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(tokenCalls(stack.emulator)).toBe(0);
    expect(folderCalls(stack.emulator)).toHaveLength(0);
  });
});
