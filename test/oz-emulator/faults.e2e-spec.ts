import { buildContainer, OzEmulator, startOzEmulator } from './index';
import { fetchToken, postContainer, readAnswer, submit } from './test-kit';

const tokenUrl = (emulator: OzEmulator) => `${emulator.url}/api/authorize/session_token`;

describe('Oz emulator: faults armed through the API and the control route', () => {
  let emulator: OzEmulator;

  beforeAll(async () => {
    emulator = await startOzEmulator();
  });
  afterEach(() => emulator.clearFaults());
  afterAll(() => emulator.close());

  it('answers the armed status with an Oz error body, for the armed count of calls only', async () => {
    emulator.armFault({ kind: 'status', status: 503, count: 2, route: 'token' });

    const answers = await Promise.all([1, 2].map(async () => readAnswer(await fetch(tokenUrl(emulator)))));
    const third = await fetch(tokenUrl(emulator));

    expect(answers).toEqual([1, 2].map(() => ({ status: 503, body: { error_code: 0, error_message: expect.any(String), details: null } })));
    expect(third.status).toBe(200);
  });

  it('answers a 401 with code 7 when a 401 status fault is armed', async () => {
    emulator.armFault({ kind: 'status', status: 401 });

    expect(await readAnswer(await fetch(tokenUrl(emulator)))).toEqual({
      status: 401,
      body: { error_code: 7, error_message: expect.any(String), details: null },
    });
  });

  it('answers the armed errorCode instead of the one fitting the status when one is given', async () => {
    emulator.armFault({ kind: 'status', status: 400, errorCode: 13, route: 'folders' });

    expect(await submit(emulator)).toEqual({
      status: 400,
      body: { error_code: 13, error_message: 'Invalid request data', details: null },
    });
  });

  it('delays the answer by delayMs and then answers normally', async () => {
    emulator.armFault({ kind: 'delay', delayMs: 150, route: 'folders' });
    const started = Date.now();

    const answer = await submit(emulator);

    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(answer.status).toBe(201);
  });

  it('resets the socket without answering', async () => {
    emulator.armFault({ kind: 'reset' });

    await expect(fetch(tokenUrl(emulator))).rejects.toThrow('fetch failed');
    expect((await fetch(tokenUrl(emulator))).status).toBe(200);
  });

  it('answers 201 with a body that is not JSON on the folders route', async () => {
    emulator.armFault({ kind: 'non-json', route: 'folders' });

    const response = await postContainer(emulator, buildContainer({ token: await emulator.issueToken() }));

    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    await expect(response.json()).rejects.toThrow('is not valid JSON');
  });

  it('sends the headers and part of the body, then stalls', async () => {
    emulator.armFault({ kind: 'stall', route: 'token' });

    const response = await fetch(tokenUrl(emulator), { signal: AbortSignal.timeout(200) });

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    await expect(response.text()).rejects.toThrow();
  });

  it('leaves the other route alone when a fault is armed for one route', async () => {
    emulator.armFault({ kind: 'status', status: 502, route: 'folders' });

    const token = await fetchToken(emulator);
    const folder = await submit(emulator, { token });

    expect(folder.status).toBe(502);
    expect(folder.body.error_code).toBe(11);
  });

  it('arms, lists and clears faults over HTTP', async () => {
    const armed = await fetch(`${emulator.url}/__emulator/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'status', status: 500, count: 3 }),
    });
    expect(await readAnswer(armed)).toEqual({
      status: 201,
      body: [{ kind: 'status', status: 500, count: 3, delayMs: 0, route: 'any' }],
    });
    expect((await fetch(tokenUrl(emulator))).status).toBe(500);

    expect((await fetch(`${emulator.url}/__emulator/faults`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(tokenUrl(emulator))).status).toBe(200);
  });

  it('answers 400 to an invalid fault over HTTP', async () => {
    const answer = await readAnswer(await fetch(`${emulator.url}/__emulator/faults`, { method: 'POST', body: '{"kind":"meteor"}' }));

    expect(answer).toEqual({ status: 400, body: { error: expect.stringContaining('kind must be one of') } });
  });
});

describe('Oz emulator: faults chosen by the container scenario', () => {
  let emulator: OzEmulator;

  beforeAll(async () => {
    emulator = await startOzEmulator();
  });
  afterAll(() => emulator.close());

  it('answers 500 with an Oz error body for fault-5xx and keeps the token unused', async () => {
    const token = await emulator.issueToken();
    const container = buildContainer({ token, scenario: 'fault-5xx' });

    const first = await readAnswer(await postContainer(emulator, container));
    const again = await readAnswer(await postContainer(emulator, container));

    expect(first).toEqual({ status: 500, body: { error_code: 0, error_message: expect.any(String), details: null } });
    expect(again.status).toBe(500);
    expect((await submit(emulator, { token })).status).toBe(201);
  });

  it('resets the socket for fault-reset', async () => {
    const container = buildContainer({ token: await emulator.issueToken(), scenario: 'fault-reset' });

    await expect(postContainer(emulator, container)).rejects.toThrow('fetch failed');
  });

  it('answers 201 with a non-JSON body for fault-non-json', async () => {
    const response = await postContainer(emulator, buildContainer({ token: await emulator.issueToken(), scenario: 'fault-non-json' }));

    expect(response.status).toBe(201);
    await expect(response.json()).rejects.toThrow('is not valid JSON');
  });

  it('stalls the body for fault-stall', async () => {
    const container = buildContainer({ token: await emulator.issueToken(), scenario: 'fault-stall' });

    const response = await postContainer(emulator, container, { signal: AbortSignal.timeout(200) });

    expect(response.status).toBe(201);
    await expect(response.text()).rejects.toThrow();
  });

  it('answers a live folder after the delay written in the container for fault-delay', async () => {
    const started = Date.now();

    const answer = await submit(emulator, { scenario: 'fault-delay', delayMs: 120 });

    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    expect(answer.status).toBe(201);
    expect(answer.body.system_resolution).toBe('SUCCESS');
  });

  it('checks the token before the fault: an expired token still gets 14', async () => {
    const answer = await submit(emulator, { token: await emulator.issueToken({ ttlSeconds: -1 }), scenario: 'fault-5xx' });

    expect(answer).toEqual({ status: 400, body: { error_code: 14, error_message: 'Invalid request data', details: null } });
  });
});

describe('Oz emulator: close()', () => {
  it('ends a stalled response instead of waiting for it', async () => {
    const emulator = await startOzEmulator();
    emulator.armFault({ kind: 'stall' });
    const response = await fetch(tokenUrl(emulator));
    const body = response.text();

    await emulator.close();

    await expect(body).rejects.toThrow();
  });
});
