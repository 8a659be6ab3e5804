import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Actor } from './actors';
import { makeBodies, runUploads, upstreamCall, uploadPath } from './load';
import { PREFIX_BYTES } from './arrivals';
import { createUpstream, type UpstreamStats } from './upstream';

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const close = (server: http.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('U: folder requests held while their upload is still arriving', () => {
  const server = createUpstream();
  let url = '';
  beforeAll(async () => (url = await listen(server)));
  afterAll(() => close(server));
  beforeEach(() => upstreamCall(url, '/__reset'));

  const stats = () => upstreamCall(url, '/__stats', 'GET');
  const until = async (what: (s: UpstreamStats) => boolean) => {
    for (let i = 0; i < 200 && !what(await stats()); i++) await new Promise((r) => setTimeout(r, 10));
  };

  /** A folder request sent in two halves; `between` runs once U has received the first half. */
  async function upload(body: Buffer, between: () => Promise<void>): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = http.request(`${url}/api/instant/folders/`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', 'content-length': body.length },
      });
      req.on('response', (res) => res.resume().on('end', () => resolve(res.statusCode ?? 0)));
      req.on('error', reject);
      req.write(body.subarray(0, body.length / 2));
      void until((s) => s.receiving === 1)
        .then(between)
        .then(() => req.end(body.subarray(body.length / 2)), reject);
    });
  }
  const prefix = (body: Buffer) => body.subarray(0, PREFIX_BYTES).toString('hex');

  it('counts a body as arriving while its client is still sending it, until the client says it finished', async () => {
    const body = randomBytes(64 * 1024);
    await upstreamCall(url, `/__sending?prefix=${prefix(body)}`);
    let during: UpstreamStats | null = null;
    let afterSent: UpstreamStats | null = null;
    const status = await upload(body, async () => {
      during = await stats();
      await upstreamCall(url, `/__sent?prefix=${prefix(body)}`);
      afterSent = await stats();
    });
    expect(status).toBe(201);
    expect(during).toMatchObject({ arriving: 1, maxArriving: 1 });
    expect(afterSent).toMatchObject({ arriving: 0, maxArriving: 1, receiving: 1 });
    expect(await stats()).toMatchObject({ arriving: 0, maxArriving: 1, receiving: 0, maxReceiving: 1 });
  });

  it('never counts a body that reaches U after its client finished sending, however slowly it arrives', async () => {
    const body = randomBytes(64 * 1024);
    await upstreamCall(url, `/__sending?prefix=${prefix(body)}`);
    await upstreamCall(url, `/__sent?prefix=${prefix(body)}`);
    expect(await upload(body, () => new Promise((r) => setTimeout(r, 50)))).toBe(201);
    expect(await stats()).toMatchObject({ maxArriving: 0, maxReceiving: 1, requests: 1 });
  });

  it('counts only bodies whose client announced them', async () => {
    expect(await upload(randomBytes(64 * 1024), () => new Promise((r) => setTimeout(r, 50)))).toBe(201);
    expect(await stats()).toMatchObject({ maxArriving: 0, maxReceiving: 1 });
  });
});

describe('upload loop: 503 answers', () => {
  const paths: string[] = [];
  const answer = JSON.stringify({ status: 'completed', decision: 'accepted', reason: 'LIVENESS_PASSED', folderId: 'f-1' });
  const server = http.createServer((req, res) => {
    paths.push(req.url ?? '');
    req.resume().on('end', () => {
      if (paths.length === 1) res.writeHead(503, { 'retry-after': '1' }).end('{}');
      else res.writeHead(201, { 'content-type': 'application/json' }).end(answer);
    });
  });
  let actor: Actor;
  beforeAll(async () => (actor = { id: 'SUT', url: await listen(server), pid: null, proc: null, tokenPath: '/v1/sessions', tokenMethod: 'POST' }));
  afterAll(() => close(server));
  beforeEach(() => (paths.length = 0));

  const sessions = [
    { sessionId: 's1', sessionToken: 't1' },
    { sessionId: 's2', sessionToken: 't2' },
  ];
  const run = (refusalOk: boolean) =>
    runUploads(actor, makeBodies(1024, 1), { concurrency: 1, count: 2, maxMs: 10_000, nextPath: uploadPath(actor, sessions), fullCheck: true, refusalOk });

  it('counts a refusal apart when it is legitimate, and retries on the same session', async () => {
    const r = await run(true);
    expect(r).toMatchObject({ ok: 1, errors: [], statuses: { 503: 1, 201: 1 } });
    expect(paths).toEqual(['/v1/sessions/s1/liveness', '/v1/sessions/s1/liveness']);
  });

  it('reports a refusal as a correctness error where none is legitimate', async () => {
    const r = await run(false);
    expect(r.ok).toBe(1);
    expect(r.errors).toEqual([expect.stringMatching(/^SUT: status 503/)]);
    expect(paths).toEqual(['/v1/sessions/s1/liveness', '/v1/sessions/s2/liveness']);
  });
});
