import { startStack, type Stack } from '../app.factory';
import { buildReferenceImage } from '../oz-emulator';
import { problem } from './http';
import { analysedSession, matchFaces, referenceForm } from './internal.helpers';
import { viewSession } from './liveness.helpers';
import { metricsUrl } from './metrics.helpers';
import { send, slowUpload, startOrder, until, waitingAt, waitsAt } from './oz-capacity.helpers';

jest.setTimeout(30_000);

/** Oz takes this long per analysis here: long enough that the next upload surely finds the slot taken. */
const OZ_MS = 400;

/** Contract §13 in one process (no REDIS_URL): the deployment's capacity is this process's. */
describe('Oz capacity of a one-process deployment (docs/api.md §13)', () => {
  let stack: Stack;
  const url = () => stack.service.url;
  const metrics = () => metricsUrl(stack.service.app);

  beforeAll(async () => {
    stack = await startStack({ OZ_CAPACITY: '1', OZ_QUEUE_TIMEOUT_MS: '20000' });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.emulator.clearLoad());

  it('queues an upload that finds Oz at OZ_CAPACITY and calls Oz once the first analysis is answered, one at a time', async () => {
    const [first, second] = await Promise.all([slowUpload(url(), OZ_MS), slowUpload(url(), OZ_MS)]);
    const waitsBefore = await waitsAt(metrics());

    const firstAnswer = send(url(), first);
    await until(() => stack.emulator.load().inFlight, 1);
    const secondAnswer = send(url(), second);
    await until(() => waitingAt(metrics()), 1);

    const answers = await Promise.all([firstAnswer, secondAnswer]);
    expect(answers.map((answer) => [answer.status, answer.body.decision])).toEqual([
      [201, 'accepted'],
      [201, 'accepted'],
    ]);
    const load = stack.emulator.load();
    expect(load.mostAtOnce).toBe(1);
    expect(startOrder(stack.emulator)).toEqual([first.sha256, second.sha256]);
    expect(load.calls[1].startedAt).toBeGreaterThanOrEqual(load.calls[0].endedAt ?? Infinity);
    const waits = await waitsAt(metrics());
    expect(waits.admitted - waitsBefore.admitted).toBe(2);
    expect(await waitingAt(metrics())).toBe(0);
  });

  it('gives up the place of a client that disconnects while waiting: Oz never gets its container, and its session stays open', async () => {
    const [first, leaving, next] = await Promise.all([slowUpload(url(), OZ_MS), slowUpload(url(), 0), slowUpload(url(), 0)]);
    const waitsBefore = await waitsAt(metrics());
    const firstAnswer = send(url(), first);
    await until(() => stack.emulator.load().inFlight, 1);
    const client = new AbortController();
    const abandoned = send(url(), leaving, client.signal).catch((error: Error) => error.name);
    await until(() => waitingAt(metrics()), 1);

    client.abort();
    await expect(abandoned).resolves.toBe('AbortError');
    await until(() => waitingAt(metrics()), 0);

    expect((await waitsAt(metrics())).abandoned - waitsBefore.abandoned).toBe(1);
    expect((await firstAnswer).status).toBe(201);
    expect((await send(url(), next)).status).toBe(201);
    expect(startOrder(stack.emulator)).toEqual([first.sha256, next.sha256]);
    await until(async () => ((await viewSession(url(), leaving.sessionId)).body.status === 'open' ? 1 : 0), 1);
    const retry = await send(url(), leaving);
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ sessionId: leaving.sessionId, decision: 'accepted' });
  });
  it('makes a face match wait for the slot too, and calls Oz for it once the liveness analysis before it was answered', async () => {
    const matched = await analysedSession(url(), { person: 'capacity-person' });
    const holder = await slowUpload(url(), OZ_MS);
    stack.emulator.clearLoad();
    const holderAnswer = send(url(), holder);
    await until(() => stack.emulator.load().inFlight, 1);

    const face = matchFaces(url(), matched.sessionId, referenceForm(buildReferenceImage('capacity-person')));
    await until(() => waitingAt(metrics()), 1);

    expect((await holderAnswer).status).toBe(201);
    const answer = await face;
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ sessionId: matched.sessionId, result: { decision: 'accepted', reason: 'FACE_MATCHED' } });
    const load = stack.emulator.load();
    expect(load.mostAtOnce).toBe(1);
    expect(load.calls.map((call) => call.bodySha256)[0]).toBe(holder.sha256);
    expect(load.calls).toHaveLength(2);
  });
});

describe('Oz capacity with a short queue timeout (docs/api.md §13)', () => {
  let stack: Stack;
  const url = () => stack.service.url;

  beforeAll(async () => {
    stack = await startStack({ OZ_CAPACITY: '1', OZ_QUEUE_TIMEOUT_MS: '200' });
  });
  afterAll(() => stack.close());

  it('answers 503 UPSTREAM_UNAVAILABLE with Retry-After when no slot came in time, without calling Oz, and the session stays usable', async () => {
    const [first, late] = await Promise.all([slowUpload(url(), 1_500), slowUpload(url(), 0)]);
    const firstAnswer = send(url(), first);
    await until(() => stack.emulator.load().inFlight, 1);

    const refused = await send(url(), late);

    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.body).toEqual(problem(503, 'UPSTREAM_UNAVAILABLE', { retryable: true }));
    expect(startOrder(stack.emulator)).toEqual([first.sha256]);
    expect((await viewSession(url(), late.sessionId)).body).toMatchObject({ status: 'open' });
    expect((await firstAnswer).status).toBe(201);
    const retry = await send(url(), late);
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ sessionId: late.sessionId, decision: 'accepted' });
  });
});

describe('without OZ_CAPACITY (docs/api.md §13)', () => {
  let stack: Stack;
  const url = () => stack.service.url;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it('makes no analysis wait: Oz gets every upload at once, as in v1.1', async () => {
    const uploads = await Promise.all([slowUpload(url(), OZ_MS), slowUpload(url(), OZ_MS), slowUpload(url(), OZ_MS)]);

    const answers = await Promise.all(uploads.map((upload) => send(url(), upload)));

    expect(answers.map((answer) => answer.status)).toEqual([201, 201, 201]);
    expect(stack.emulator.load().mostAtOnce).toBe(3);
    expect(await waitsAt(metricsUrl(stack.service.app))).toEqual({ admitted: 0, timed_out: 0, abandoned: 0 });
  });
});
