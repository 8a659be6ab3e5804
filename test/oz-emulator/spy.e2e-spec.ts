import { createHash } from 'node:crypto';
import { buildContainer, OzEmulator, startOzEmulator } from './index';
import { postContainer, readAnswer } from './test-kit';

describe('Oz emulator: request spy', () => {
  let emulator: OzEmulator;

  beforeAll(async () => {
    emulator = await startOzEmulator({ accessToken: 'forensic-secret' });
  });
  beforeEach(() => emulator.clearRequests());
  afterAll(() => emulator.close());

  it('records method, path, content type, header names, body size and SHA-256 of a container, byte for byte', async () => {
    const container = buildContainer({ token: await emulator.issueToken() });

    await postContainer(emulator, container, { headers: { 'x-forensic-access-token': 'forensic-secret', 'x-request-id': 'req-1' } });

    expect(emulator.requests()).toEqual([
      {
        method: 'POST',
        path: '/api/instant/folders/',
        contentType: 'application/octet-stream',
        headerNames: expect.arrayContaining(['content-type', 'x-forensic-access-token', 'x-request-id']),
        headers: { 'x-request-id': 'req-1', 'x-forensic-access-token': 'present' },
        bodySize: container.length,
        bodySha256: createHash('sha256').update(container).digest('hex'),
        receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
  });

  it('records the W3C trace context a call carried, so that tests can follow a trace into Oz', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

    await fetch(`${emulator.url}/api/authorize/session_token`, { headers: { traceparent, tracestate: 'vendor=1', 'x-request-id': 'req-2' } });

    expect(emulator.requests()[0].headers).toEqual({ 'x-request-id': 'req-2', traceparent, tracestate: 'vendor=1', 'x-forensic-access-token': 'absent' });
  });

  it('never records the access token value', async () => {
    await fetch(`${emulator.url}/api/authorize/session_token?x=1`, { headers: { 'x-forensic-access-token': 'forensic-secret' } });

    const [recorded] = emulator.requests();
    expect(recorded).toMatchObject({ method: 'GET', path: '/api/authorize/session_token', contentType: null, bodySize: 0 });
    expect(JSON.stringify(recorded)).not.toContain('forensic-secret');
  });

  it('records calls that were refused, and marks a missing access token as absent', async () => {
    await fetch(`${emulator.url}/api/authorize/session_token`);

    expect(emulator.requests()[0].headers).toEqual({ 'x-forensic-access-token': 'absent' });
  });

  it('serves the records over GET /__emulator/requests without recording control calls', async () => {
    await fetch(`${emulator.url}/api/authorize/session_token`);

    const first = await readAnswer(await fetch(`${emulator.url}/__emulator/requests`));
    const second = await readAnswer(await fetch(`${emulator.url}/__emulator/requests`));

    expect(first.status).toBe(200);
    expect(first.body).toHaveLength(1);
    expect(second.body).toEqual(first.body);
  });

  it('forgets the records on DELETE /__emulator/requests', async () => {
    await fetch(`${emulator.url}/api/authorize/session_token`);

    const deleted = await fetch(`${emulator.url}/__emulator/requests`, { method: 'DELETE' });

    expect(deleted.status).toBe(204);
    expect(emulator.requests()).toEqual([]);
  });

  it('keeps at least the last 200 requests', async () => {
    for (let batch = 0; batch < 5; batch++) {
      await Promise.all(Array.from({ length: 50 }, (_, i) => fetch(`${emulator.url}/api/unknown/${batch * 50 + i}`).then((r) => r.arrayBuffer())));
    }

    const paths = emulator.requests().map((request) => request.path);
    expect(paths.length).toBeGreaterThanOrEqual(200);
    expect(paths).toContain('/api/unknown/249');
  });
});

describe('Oz emulator: load meter', () => {
  let emulator: OzEmulator;

  beforeAll(async () => {
    emulator = await startOzEmulator();
  });
  afterAll(() => emulator.close());

  it('counts the most analysis calls it handled at once and the start and end of each, token calls not counted', async () => {
    const containers = await Promise.all(
      [0, 1, 2].map(async () => buildContainer({ token: await emulator.issueToken(), scenario: 'fault-delay', delayMs: 300 })),
    );
    await fetch(`${emulator.url}/api/authorize/session_token`);

    const answers = await Promise.all(containers.map((container) => postContainer(emulator, container)));

    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201]);
    const load = (await readAnswer(await fetch(`${emulator.url}/__emulator/load`))).body;
    expect(load).toMatchObject({ inFlight: 0, mostAtOnce: 3 });
    expect(load.calls.map((call: { bodySha256: string }) => call.bodySha256).sort()).toEqual(
      containers.map((container) => createHash('sha256').update(container).digest('hex')).sort(),
    );
    for (const call of load.calls) expect(call.endedAt).toBeGreaterThanOrEqual(call.startedAt + 300);
  });

  it('forgets the calls on DELETE /__emulator/load', async () => {
    await postContainer(emulator, buildContainer({ token: await emulator.issueToken() }));

    expect((await fetch(`${emulator.url}/__emulator/load`, { method: 'DELETE' })).status).toBe(204);

    expect(emulator.load()).toEqual({ inFlight: 0, mostAtOnce: 0, calls: [] });
  });
});
