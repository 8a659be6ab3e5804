import { randomUUID } from 'node:crypto';
import { startStack, type Stack } from '../app.factory';
import { buildContainer } from '../oz-emulator';
import { call, createSession, problem, uploadContainer, withSessionToken } from './http';
import { folderCalls, livenessHead, livenessUrl, rawExchange, sessionWithContainer, viewSession } from './liveness.helpers';

const MAX_CONTAINER_BYTES = 4096;
/** A container of exactly `length` bytes for this token (only the media section grows). */
function containerOfLength(token: string, length: number): Buffer {
  const probe = buildContainer({ token, mediaBytes: 0, scenario: 'live' }).length;
  return buildContainer({ token, mediaBytes: length - probe });
}

describe('POST /v1/sessions/{sessionId}/liveness: what the service refuses itself', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ MAX_CONTAINER_BYTES: String(MAX_CONTAINER_BYTES) });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.emulator.clearRequests());

  /** The refusal left the session open: a good container is still analysed. */
  async function expectStillOpen(sessionId: string, token: string) {
    expect((await viewSession(stack.service.url, sessionId)).body).toMatchObject({ status: 'open' });
    const retry = await uploadContainer(stack.service.url, sessionId, buildContainer({ token, mediaBytes: 1024 }));
    expect(retry.status).toBe(201);
  }

  it('answers 400 CONTAINER_MISSING without calling Oz when the body is empty, and the session stays open', async () => {
    const { sessionId, sessionToken } = await createSession(stack.service.url);

    const answer = await uploadContainer(stack.service.url, sessionId, new Uint8Array(0));

    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.body).toEqual(problem(400, 'CONTAINER_MISSING', { retryable: false }));
    expect(folderCalls(stack.emulator)).toHaveLength(0);
    await expectStillOpen(sessionId, sessionToken);
  });

  it.each([
    ['text/plain', { 'content-type': 'text/plain' }],
    ['application/json', { 'content-type': 'application/json' }],
    ['multipart/form-data', { 'content-type': 'multipart/form-data; boundary=x' }],
    ['no Content-Type at all', {}],
  ])('answers 415 UNSUPPORTED_MEDIA_TYPE without calling Oz for %s', async (_, headers: Record<string, string>) => {
    const { sessionId, sessionToken } = await createSession(stack.service.url);

    const answer = await call(livenessUrl(stack.service.url, sessionId), {
      method: 'POST',
      headers: withSessionToken(sessionId, headers),
      body: buildContainer({ token: sessionToken, mediaBytes: 1024 }),
    });

    expect(answer.status).toBe(415);
    expect(answer.body).toEqual(problem(415, 'UNSUPPORTED_MEDIA_TYPE', { retryable: false }));
    expect(folderCalls(stack.emulator)).toHaveLength(0);
    await expectStillOpen(sessionId, sessionToken);
  });

  it.each(['application/octet-stream; charset=binary', 'Application/Octet-Stream'])('accepts the container with Content-Type %s', async (type) => {
    const { sessionId, container } = await sessionWithContainer(stack.service.url, { mediaBytes: 1024 });

    const answer = await uploadContainer(stack.service.url, sessionId, container, { 'content-type': type });

    expect(answer.status).toBe(201);
  });

  it('accepts a container of exactly MAX_CONTAINER_BYTES', async () => {
    const { sessionId, sessionToken } = await createSession(stack.service.url);
    const container = containerOfLength(sessionToken, MAX_CONTAINER_BYTES);

    const answer = await uploadContainer(stack.service.url, sessionId, container);

    expect(container.length).toBe(MAX_CONTAINER_BYTES);
    expect(answer.status).toBe(201);
  });

  it('answers 413 PAYLOAD_TOO_LARGE without calling Oz for one byte over MAX_CONTAINER_BYTES, and the session stays open', async () => {
    const { sessionId, sessionToken } = await createSession(stack.service.url);

    const answer = await uploadContainer(stack.service.url, sessionId, containerOfLength(sessionToken, MAX_CONTAINER_BYTES + 1));

    expect(answer.status).toBe(413);
    expect(answer.body).toEqual(problem(413, 'PAYLOAD_TOO_LARGE', { retryable: false }));
    expect(folderCalls(stack.emulator)).toHaveLength(0);
    await expectStillOpen(sessionId, sessionToken);
  });

  it('answers 413 from Content-Length alone, before any of the body is sent', async () => {
    const { sessionId } = await createSession(stack.service.url);
    const head = livenessHead(stack.service.url, sessionId, {
      'content-type': 'application/octet-stream',
      'content-length': String(1024 ** 3),
      'x-request-id': 'raw-413',
    });

    const answer = await rawExchange(stack.service.url, head);

    expect(answer.status).toBe(413);
    expect(answer.headers['content-type']).toContain('application/problem+json');
    expect(answer.headers['x-request-id']).toBe('raw-413');
    expect(answer.body).toEqual(problem(413, 'PAYLOAD_TOO_LARGE', { retryable: false, requestId: 'raw-413' }));
    expect(folderCalls(stack.emulator)).toHaveLength(0);
  });

  it('answers 413 as soon as a chunked body passes the limit, while the rest is still unsent', async () => {
    const { sessionId } = await createSession(stack.service.url);
    const head = livenessHead(stack.service.url, sessionId, { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' });
    const size = MAX_CONTAINER_BYTES + 100;
    const firstChunk = Buffer.concat([Buffer.from(`${size.toString(16)}\r\n`), Buffer.alloc(size, 0x41), Buffer.from('\r\n')]);

    const answer = await rawExchange(stack.service.url, head, firstChunk);

    expect(answer.status).toBe(413);
    expect(answer.body).toEqual(problem(413, 'PAYLOAD_TOO_LARGE', { retryable: false }));
    expect(folderCalls(stack.emulator)).toHaveLength(0);
  });

  it.each(['not-a-uuid', '12345', `${randomUUID()}x`])('answers 400 VALIDATION_FAILED when the sessionId is %s', async (sessionId) => {
    const answer = await uploadContainer(stack.service.url, sessionId, Buffer.from('container'));

    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(problem(400, 'VALIDATION_FAILED', { retryable: false }));
    expect(folderCalls(stack.emulator)).toHaveLength(0);
  });

  it('answers 404 SESSION_NOT_FOUND without calling Oz for an unknown session', async () => {
    const answer = await uploadContainer(stack.service.url, randomUUID(), buildContainer({ token: await stack.emulator.issueToken(), mediaBytes: 1024 }));

    expect(answer.status).toBe(404);
    expect(answer.body).toEqual(problem(404, 'SESSION_NOT_FOUND', { retryable: false }));
    expect(folderCalls(stack.emulator)).toHaveLength(0);
  });

  describe('precedence (415, 413, 400, 404, 410, 409)', () => {
    const oversized = Buffer.alloc(MAX_CONTAINER_BYTES + 1, 0x41);

    it.each([
      ['415 over 413: a wrong type and an oversized body', { 'content-type': 'text/plain' }, oversized, 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['415 over 400: a missing type and an empty body', {}, Buffer.alloc(0), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['415 over 404: a wrong type on an unknown session', { 'content-type': 'text/plain' }, Buffer.from('x'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['413 over 404: an oversized body on an unknown session', { 'content-type': 'application/octet-stream' }, oversized, 413, 'PAYLOAD_TOO_LARGE'],
      ['400 over 404: an empty body on an unknown session', { 'content-type': 'application/octet-stream' }, Buffer.alloc(0), 400, 'CONTAINER_MISSING'],
    ])('answers %s', async (_, headers: Record<string, string>, body, status, code) => {
      const sessionId = randomUUID();
      const answer = await call(livenessUrl(stack.service.url, sessionId), { method: 'POST', headers: withSessionToken(sessionId, headers), body });

      expect(answer.status).toBe(status);
      expect(answer.body).toEqual(problem(status, code));
    });

    it('answers 400 over 404 to a request with neither Content-Length nor Transfer-Encoding (HTTP/1.1: no body)', async () => {
      const head = livenessHead(stack.service.url, randomUUID(), { 'content-type': 'application/octet-stream' });

      const answer = await rawExchange(stack.service.url, head);

      expect(answer.status).toBe(400);
      expect(answer.body).toEqual(problem(400, 'CONTAINER_MISSING'));
      expect(folderCalls(stack.emulator)).toHaveLength(0);
    });

    it('answers 415 over 400 VALIDATION_FAILED when both the type and the sessionId are wrong', async () => {
      const answer = await call(livenessUrl(stack.service.url, 'not-a-uuid'), {
        method: 'POST',
        headers: withSessionToken('not-a-uuid', { 'content-type': 'text/plain' }),
        body: 'x',
      });

      expect(answer.status).toBe(415);
      expect(answer.body).toEqual(problem(415, 'UNSUPPORTED_MEDIA_TYPE'));
    });

    it('answers 413 over 400 VALIDATION_FAILED when the body is oversized and the sessionId is not a UUID', async () => {
      const answer = await uploadContainer(stack.service.url, 'not-a-uuid', oversized);

      expect(answer.status).toBe(413);
      expect(answer.body).toEqual(problem(413, 'PAYLOAD_TOO_LARGE'));
    });

    it('answers 400 CONTAINER_MISSING over 409 when an empty body comes to a completed session', async () => {
      const { sessionId, container } = await sessionWithContainer(stack.service.url, { mediaBytes: 1024 });
      await uploadContainer(stack.service.url, sessionId, container);

      const answer = await uploadContainer(stack.service.url, sessionId, new Uint8Array(0));

      expect(answer.status).toBe(400);
      expect(answer.body).toEqual(problem(400, 'CONTAINER_MISSING'));
    });
  });
});
