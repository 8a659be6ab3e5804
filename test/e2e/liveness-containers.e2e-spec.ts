import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type Stack } from '../app.factory';
import { buildContainer } from '../oz-emulator';
import { createSession, problem, uploadContainer } from './http';
import { folderCalls, sessionWithContainer, viewSession } from './liveness.helpers';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('POST /v1/sessions/{sessionId}/liveness when Oz rejects the container', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.emulator.clearRequests());

  /** The answer, and what internal callers then see on the session. */
  async function expectFailedForGood(sessionId: string, answer: Awaited<ReturnType<typeof uploadContainer>>, code: string, ozErrorCode: number) {
    expect(answer.status).toBe(422);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.body).toEqual(problem(422, code, { ozErrorCode, retryable: false }));
    expect(answer.body.requestId).toBe(answer.headers.get('x-request-id'));
    const view = await viewSession(stack.service.url, sessionId);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ sessionId, status: 'failed', error: { code, ozErrorCode } });
    expect(view.body.result ?? null).toBeNull();
  }

  it.each([
    ['no-payload', 'CONTAINER_PAYLOAD_MISSING', 3],
    ['no-media', 'CONTAINER_MEDIA_MISSING', 4],
    ['damaged', 'CONTAINER_DAMAGED', 5],
    ['tampered', 'CONTAINER_INVALID', 14],
  ] as const)('answers 422 and fails the session for good when the container is %s (%s, Oz code %i)', async (scenario, code, ozErrorCode) => {
    const { sessionId, container } = await sessionWithContainer(stack.service.url, { scenario });

    const answer = await uploadContainer(stack.service.url, sessionId, container);

    await expectFailedForGood(sessionId, answer, code, ozErrorCode);
    expect(folderCalls(stack.emulator)).toHaveLength(1);
  });

  it('answers 400 CONTAINER_MISSING and fails the session for good when Oz answers 400 with code 13', async () => {
    const { sessionId, container } = await sessionWithContainer(stack.service.url);
    stack.emulator.armFault({ kind: 'status', status: 400, errorCode: 13, route: 'folders' });

    const answer = await uploadContainer(stack.service.url, sessionId, container);

    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(problem(400, 'CONTAINER_MISSING', { ozErrorCode: 13, retryable: false }));
    const view = await viewSession(stack.service.url, sessionId);
    expect(view.body).toMatchObject({ status: 'failed', error: { code: 'CONTAINER_MISSING', ozErrorCode: 13 } });
  });

  it('answers 502 UPSTREAM_ERROR and leaves the session open when Oz answers 400 with a code that is not a container error', async () => {
    const { sessionId, container } = await sessionWithContainer(stack.service.url);
    stack.emulator.armFault({ kind: 'status', status: 400, errorCode: 11, route: 'folders' });

    const answer = await uploadContainer(stack.service.url, sessionId, container);

    expect(answer.status).toBe(502);
    expect(answer.body).toEqual(problem(502, 'UPSTREAM_ERROR', { ozErrorCode: 11, retryable: false }));
    expect((await viewSession(stack.service.url, sessionId)).body).toMatchObject({ status: 'open', error: null });
    expect((await uploadContainer(stack.service.url, sessionId, container)).status).toBe(201);
  });

  it('answers 422 CONTAINER_INVALID (Oz code 14) when the container carries an expired Oz session token', async () => {
    const { sessionId } = await createSession(stack.service.url);
    const container = buildContainer({ token: await stack.emulator.issueToken({ ttlSeconds: -1 }) });

    const answer = await uploadContainer(stack.service.url, sessionId, container);

    await expectFailedForGood(sessionId, answer, 'CONTAINER_INVALID', 14);
  });

  it('answers 422 CONTAINER_INVALID (Oz code 14) when another session uploads a container of an already consumed token', async () => {
    const first = await sessionWithContainer(stack.service.url);
    expect((await uploadContainer(stack.service.url, first.sessionId, first.container)).status).toBe(201);
    const { sessionId } = await createSession(stack.service.url);

    const answer = await uploadContainer(stack.service.url, sessionId, buildContainer({ token: first.sessionToken }));

    await expectFailedForGood(sessionId, answer, 'CONTAINER_INVALID', 14);
    expect((await viewSession(stack.service.url, first.sessionId)).body).toMatchObject({ status: 'completed' });
  });

  it('never echoes the Oz error message or details in the problem body', async () => {
    const { sessionId, container } = await sessionWithContainer(stack.service.url, { scenario: 'tampered' });

    const answer = await uploadContainer(stack.service.url, sessionId, container);

    expect(answer.bytes.toString('utf8')).not.toContain('Invalid request data');
    expect(Object.keys(answer.body).sort()).toEqual(['code', 'detail', 'ozErrorCode', 'requestId', 'retryable', 'status', 'title', 'type']);
  });
});

describe('DIAGNOSTICS_DIR', () => {
  let stack: Stack;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'liveness-diagnostics-'));
    stack = await startStack({ DIAGNOSTICS_DIR: dir });
  });
  afterAll(async () => {
    await stack.close();
    await rm(dir, { recursive: true, force: true });
  });
  // Each test starts from an empty directory, so it sees only what its own upload left.
  beforeEach(async () => {
    for (const name of await readdir(dir)) await rm(join(dir, name), { force: true });
  });

  it('keeps a container that Oz rejected with code 14 byte for byte, with a JSON note for Oz support', async () => {
    const { sessionId, container } = await sessionWithContainer(stack.service.url, { scenario: 'tampered' });

    const answer = await uploadContainer(stack.service.url, sessionId, container, { 'x-request-id': 'diag-req-14' });

    expect(answer.status).toBe(422);
    const names = (await readdir(dir)).sort();
    expect(names).toHaveLength(2);
    const stem = names[0].replace(/\.bin$/, '');
    expect(names).toEqual([`${stem}.bin`, `${stem}.json`]);
    expect((await readFile(join(dir, `${stem}.bin`))).equals(container)).toBe(true);
    const note = JSON.parse(await readFile(join(dir, `${stem}.json`), 'utf8'));
    expect(note).toEqual({ time: expect.stringMatching(ISO), requestId: 'diag-req-14', sessionId, ozErrorCode: 14 });
  });

  it.each([
    ['damaged', 422],
    ['no-media', 422],
    ['live', 201],
  ] as const)('keeps nothing when the container is %s', async (scenario, status) => {
    const { sessionId, container } = await sessionWithContainer(stack.service.url, { scenario });

    const answer = await uploadContainer(stack.service.url, sessionId, container);

    expect(answer.status).toBe(status);
    expect(await readdir(dir)).toEqual([]);
  });
});
