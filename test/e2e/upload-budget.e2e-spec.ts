import { API_KEY, startStack, type Stack } from '../app.factory';
import { buildReferenceImage } from '../oz-emulator';
import { rawUpload, type RawOutcome } from '../support/abusive-client';

type Held = Awaited<ReturnType<typeof rawUpload>>;
import { MiB } from '../support/process-memory';
import { createSession, problem, uploadContainer } from './http';
import { analysedSession, matchFaces, referenceForm } from './internal.helpers';
import { sessionWithContainer, viewSession } from './liveness.helpers';

jest.setTimeout(30_000);

const MAX_CONTAINER_BYTES = MiB;
const MAX_IMAGE_BYTES = 2 * MiB;
const BUDGET = 4 * MiB;
const SHARE = 3 * MiB;

/**
 * Every body counts against MAX_INFLIGHT_UPLOAD_BYTES, and one address holds at most its share of
 * it (docs/api.md §16). The stalled clients below send a little and then nothing, as the attacker
 * of docs/reliability.md did; TRUST_PROXY lets one test machine speak for several addresses.
 */
describe('the upload budget, shared by containers and references', () => {
  let stack: Stack;

  // A service of its own for each test: what one test's clients hold is never another's to wait for.
  beforeEach(async () => {
    stack = await startStack({
      TRUST_PROXY: 'true',
      MAX_CONTAINER_BYTES: String(MAX_CONTAINER_BYTES),
      MAX_IMAGE_BYTES: String(MAX_IMAGE_BYTES),
      MAX_INFLIGHT_UPLOAD_BYTES: String(BUDGET),
      MAX_INFLIGHT_UPLOAD_BYTES_PER_ADDRESS: String(SHARE),
    });
  });
  afterEach(() => stack.close());

  /** Uploads that declare `declared` bytes, send 64 KiB and stall; resolved while they still hold their room (status 0). */
  async function stalled(requests: { path: string; headers: Record<string, string>; declared: number }[]): Promise<Held[]> {
    const outcomes = await Promise.all(
      requests.map(({ path, headers, declared }) =>
        rawUpload({
          url: stack.service.url,
          path,
          headers: { ...headers, 'content-length': String(declared) },
          bodyBytes: declared,
          stallAfter: 64 * 1024,
          timeoutMs: 1_500,
        }),
      ),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual(requests.map(() => 0));
    return outcomes;
  }

  async function stalledContainer(address: string, declared = MAX_CONTAINER_BYTES) {
    const { sessionId, sessionToken } = await createSession(stack.service.url);
    const headers = { 'content-type': 'application/octet-stream', authorization: `Bearer ${sessionToken}`, 'x-forwarded-for': address };
    return { sessionId, request: { path: `/v1/sessions/${sessionId}/liveness`, headers, declared } };
  }

  const stalledForm = (sessionId: string, address: string, declared: number) => ({
    path: `/v1/sessions/${sessionId}/biometry`,
    headers: { 'content-type': 'multipart/form-data; boundary=b', 'x-api-key': API_KEY, 'x-forwarded-for': address },
    declared,
  });

  /** Gone clients give their room back once the service has seen them go: wait for an upload from `address` to be admitted again. */
  async function released(holders: Held[], address: string): Promise<void> {
    for (const holder of holders) holder.socket.destroy();
    const { sessionId, container } = await sessionWithContainer(stack.service.url);
    for (let attempt = 0; attempt < 100; attempt++) {
      const answer = await uploadContainer(stack.service.url, sessionId, container, { 'x-forwarded-for': address });
      if (answer.status !== 503 && answer.status !== 429) return void expect(answer.status).toBe(201);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error('the budget was not given back');
  }

  function expectRawProblem(outcome: RawOutcome, status: number, code: string, retryAfter: number): void {
    expect(outcome.status).toBe(status);
    expect(JSON.parse(outcome.body)).toEqual(problem(status, code, { retryable: true }));
    expect(outcome.head).toMatch(new RegExp(`retry-after: ${retryAfter}\\r?$`, 'im'));
    expect(outcome.head).toMatch(/connection: close/i);
  }

  it('refuses a reference with 503 SERVICE_BUSY and Retry-After while stalled containers hold the budget, and matches it once they are gone', async () => {
    const session = await analysedSession(stack.service.url, { person: 'budget-person' });
    const holders = await stalled(
      await Promise.all(['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4'].map(async (a) => (await stalledContainer(a)).request)),
    );

    const busy = await matchFaces(stack.service.url, session.sessionId, referenceForm(buildReferenceImage('budget-person')), {
      'x-api-key': API_KEY,
      'x-forwarded-for': '198.51.100.9',
    });

    expect({ status: busy.status, retryAfter: busy.headers.get('retry-after') }).toEqual({ status: 503, retryAfter: '2' });
    expect(busy.body).toEqual(problem(503, 'SERVICE_BUSY', { retryable: true }));
    await released(holders, '198.51.100.9');
    const matched = await matchFaces(stack.service.url, session.sessionId, referenceForm(buildReferenceImage('budget-person')));
    expect({ status: matched.status, decision: matched.body.result.decision }).toEqual({ status: 201, decision: 'accepted' });
  });

  it('counts a reference form against the budget from its declared length while it arrives: a container that would pass it gets 503, the session stays open', async () => {
    const session = await analysedSession(stack.service.url, { person: 'form-holder' });
    const holders = await stalled([stalledForm(session.sessionId, '198.51.100.11', 2 * MiB), stalledForm(session.sessionId, '198.51.100.12', 2 * MiB)]);
    const { sessionId, container } = await sessionWithContainer(stack.service.url);

    const busy = await uploadContainer(stack.service.url, sessionId, container, { 'x-forwarded-for': '198.51.100.13' });

    expect({ status: busy.status, retryAfter: busy.headers.get('retry-after') }).toEqual({ status: 503, retryAfter: '2' });
    expect(busy.body).toEqual(problem(503, 'SERVICE_BUSY', { retryable: true }));
    expect((await viewSession(stack.service.url, sessionId)).body.status).toBe('open');
    await released(holders, '198.51.100.13');
  });

  it('counts a chunked reference form chunk by chunk and refuses it with 503 the moment it would pass the budget', async () => {
    const session = await analysedSession(stack.service.url, { person: 'chunked-form' });
    const holders = await stalled(await Promise.all(['198.51.100.41', '198.51.100.42', '198.51.100.43'].map(async (a) => (await stalledContainer(a)).request)));
    const part = Buffer.concat([
      Buffer.from('--b\r\nContent-Disposition: form-data; name="reference"; filename="r.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'),
      buildReferenceImage('chunked-form'),
      Buffer.alloc(2 * MiB),
    ]);
    // Transfer-Encoding: chunked, in pieces of 64 KiB, and never a last chunk.
    const pieces: Buffer[] = [];
    for (let offset = 0; offset < part.length; offset += 64 * 1024) {
      const piece = part.subarray(offset, offset + 64 * 1024);
      pieces.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
    }
    const body = Buffer.concat(pieces);
    const headers = { ...stalledForm(session.sessionId, '198.51.100.44', 0).headers, 'transfer-encoding': 'chunked' };

    const refused = await rawUpload({ url: stack.service.url, path: `/v1/sessions/${session.sessionId}/biometry`, headers, bodyBytes: body.length, body });
    refused.socket.destroy();

    expectRawProblem(refused, 503, 'SERVICE_BUSY', 2);
    await released(holders, '198.51.100.44');
  });

  it("refuses an address's upload past its share with 429 RATE_LIMITED and Retry-After before reading it, while another address is admitted", async () => {
    const held = await Promise.all([stalledContainer('198.51.100.21'), stalledContainer('198.51.100.21'), stalledContainer('198.51.100.21')]);
    const holders = await stalled(held.map((upload) => upload.request));
    const fourth = await stalledContainer('198.51.100.21');

    const refused = await rawUpload({
      url: stack.service.url,
      ...fourth.request,
      headers: { ...fourth.request.headers, 'content-length': String(MAX_CONTAINER_BYTES) },
      bodyBytes: MAX_CONTAINER_BYTES,
    });
    refused.socket.destroy();
    const other = await sessionWithContainer(stack.service.url);
    const admitted = await uploadContainer(stack.service.url, other.sessionId, other.container, { 'x-forwarded-for': '198.51.100.22' });

    expectRawProblem(refused, 429, 'RATE_LIMITED', 5);
    expect((await viewSession(stack.service.url, fourth.sessionId)).body.status).toBe('open');
    expect(admitted.status).toBe(201);
    await released(holders, '198.51.100.21');
  });

  it("refuses a reference past its address's share with 429 RATE_LIMITED, Oz not called", async () => {
    const session = await analysedSession(stack.service.url, { person: 'share-person' });
    const holders = await stalled([stalledForm(session.sessionId, '198.51.100.31', 2 * MiB)]);
    stack.emulator.clearRequests();

    const refused = await matchFaces(
      stack.service.url,
      session.sessionId,
      referenceForm(Buffer.concat([buildReferenceImage('share-person'), Buffer.alloc(MiB + 1)])),
      {
        'x-api-key': API_KEY,
        'x-forwarded-for': '198.51.100.31',
      },
    );

    expect({ status: refused.status, retryAfter: refused.headers.get('retry-after') }).toEqual({ status: 429, retryAfter: '5' });
    expect(refused.body).toEqual(problem(429, 'RATE_LIMITED', { retryable: true }));
    expect(stack.emulator.requests().filter((request) => request.path.startsWith('/api/instant/folders'))).toEqual([]);
    await released(holders, '198.51.100.31');
  });
});
