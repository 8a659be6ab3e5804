import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStack, type Stack } from '../app.factory';
import { buildContainer, buildReferenceImage } from '../oz-emulator';
import { type Answer, call, createSession, internal, uploadContainer } from './http';
import { analysedSession, matchFaces, readBestShot, referenceForm, viewSession } from './internal.helpers';
import { DocumentedAnswers } from './openapi.responses';

const DOCUMENT = JSON.parse(readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8'));
const UNKNOWN_SESSION = '3d0f6a55-1c2b-4e8f-9a7d-6b5c4e3f2a10';

/**
 * Every route's real answers — successes in each state and the usual refusals — checked against
 * the committed docs/openapi.json, as a validating proxy in front of the service would check them.
 * Spectral lints the document itself; this proves the service says what the document says.
 */
describe('the answers of every route, against docs/openapi.json', () => {
  let stack: Stack;
  let url: string;
  const documented = new DocumentedAnswers(DOCUMENT);

  beforeAll(async () => {
    stack = await startStack({ MAX_CONTAINER_BYTES: '1048576' });
    url = stack.service.url;
  });
  afterAll(() => stack.close());

  function expectDocumented(method: string, path: string, answer: Answer, status: number): void {
    expect({ status: answer.status, problems: documented.problemsOf(method, `${url}${path}`, answer) }).toEqual({ status, problems: [] });
  }

  it('documents the answers of POST /v1/sessions', async () => {
    const json = { 'content-type': 'application/json' };
    expectDocumented('POST', '/v1/sessions', await call(`${url}/v1/sessions`, { method: 'POST' }), 201);
    expectDocumented('POST', '/v1/sessions', await call(`${url}/v1/sessions`, { method: 'POST', headers: json, body: '{"subjectId": 5}' }), 400);
    expectDocumented('POST', '/v1/sessions', await call(`${url}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' }), 415);
  });

  it('documents the answers of the liveness upload', async () => {
    const { sessionId, sessionToken } = await createSession(url);
    const container = buildContainer({ token: sessionToken });
    const path = `/v1/sessions/${sessionId}/liveness`;

    expectDocumented('POST', path, await uploadContainer(url, sessionId, container), 201);
    expectDocumented('POST', path, await uploadContainer(url, sessionId, container), 200);
    expectDocumented('POST', path, await uploadContainer(url, sessionId, Buffer.from('other bytes')), 409);
    expectDocumented('POST', path, await uploadContainer(url, sessionId, container, { authorization: '' }), 401);
    expectDocumented('POST', path, await uploadContainer(url, sessionId, container, { 'content-type': 'text/plain' }), 415);
    expectDocumented('POST', path, await uploadContainer(url, sessionId, Buffer.alloc(2 * 1048576)), 413);
    const unknown = `/v1/sessions/${UNKNOWN_SESSION}/liveness`;
    expectDocumented('POST', unknown, await uploadContainer(url, UNKNOWN_SESSION, container), 404);
  });

  it('documents the session view while open, once completed, once failed, and its refusals', async () => {
    const open = await createSession(url);
    const completed = await analysedSession(url, { person: 'doc-person' });
    const failed = await analysedSession(url, { scenario: 'tampered' });

    for (const sessionId of [open.sessionId, completed.sessionId, failed.sessionId]) {
      expectDocumented('GET', `/v1/sessions/${sessionId}`, await viewSession(url, sessionId), 200);
    }
    expectDocumented('GET', `/v1/sessions/${UNKNOWN_SESSION}`, await viewSession(url, UNKNOWN_SESSION), 404);
    expectDocumented('GET', `/v1/sessions/${UNKNOWN_SESSION}`, await viewSession(url, UNKNOWN_SESSION, {}), 401);
    expectDocumented('GET', '/v1/sessions/not-a-uuid', await viewSession(url, 'not-a-uuid'), 400);
  });

  it('documents the answers of face matching and of the best shot', async () => {
    const { sessionId } = await analysedSession(url, { person: 'doc-match' });
    const open = await createSession(url);
    const path = `/v1/sessions/${sessionId}/biometry`;

    expectDocumented('POST', path, await matchFaces(url, sessionId, referenceForm(buildReferenceImage('doc-match'))), 201);
    expectDocumented('POST', path, await matchFaces(url, sessionId, referenceForm(Buffer.from([0xff, 0xd8, 0xff]))), 422);
    expectDocumented('POST', path, await matchFaces(url, sessionId, new FormData()), 400);
    expectDocumented('POST', `/v1/sessions/${open.sessionId}/biometry`, await matchFaces(url, open.sessionId, referenceForm(buildReferenceImage('x'))), 409);
    expectDocumented('GET', `/v1/sessions/${sessionId}/best-shot`, await readBestShot(url, sessionId), 200);
    expectDocumented('GET', `/v1/sessions/${open.sessionId}/best-shot`, await readBestShot(url, open.sessionId), 404);
  });

  it.each(['/health/live', '/health/ready', '/.well-known/jwks.json', '/openapi.json'])('documents the answer of GET %s', async (path) => {
    expectDocumented('GET', path, await call(`${url}${path}`, { headers: internal() }), 200);
  });
});
