import { randomBytes } from 'node:crypto';
import { startStack, type Stack } from '../app.factory';
import { IN_MEMORY_STORE_OPTIONS } from '../../src/session/in-memory-session.store';
import { buildBestShot, buildReferenceImage, personOfImage } from '../oz-emulator';
import { createSession } from './http';
import { analysedSession, expectProblem, matchFaces, readBestShot, referenceForm, startProxiedStack, viewSession, type ProxiedStack } from './internal.helpers';
import { scrape, valueOf } from './metrics.helpers';

const UNKNOWN_SESSION = '0b6f2c1e-2a43-4f7d-8c1e-5d9a3b7e6f10';

describe('GET /v1/sessions/{sessionId}/best-shot', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  it.each([
    ['an accepted', 'live'],
    ['a rejected (spoof)', 'spoof'],
  ] as const)('answers 200 image/jpeg, no-store, with the JPEG bytes Oz returned for %s session', async (_, scenario) => {
    const person = `best-shot-${scenario}`;
    const { sessionId } = await analysedSession(stack.service.url, { scenario, person });

    const answer = await readBestShot(stack.service.url, sessionId);

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('image/jpeg');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('x-request-id')).toEqual(expect.any(String));
    expect(answer.headers.get('content-length')).toBe(String(buildBestShot(person).length));
    expect(answer.bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(personOfImage(answer.bytes)).toBe(person);
    expect(answer.bytes.equals(buildBestShot(person))).toBe(true);
  });

  it('answers the same bytes on every read while held', async () => {
    const { sessionId } = await analysedSession(stack.service.url, { person: 'best-shot-twice' });

    const first = await readBestShot(stack.service.url, sessionId);
    const second = await readBestShot(stack.service.url, sessionId);

    expect(second.status).toBe(200);
    expect(second.bytes.equals(first.bytes)).toBe(true);
  });

  it('answers 404 BEST_SHOT_NOT_FOUND when Oz returned none (analysis error)', async () => {
    const { sessionId } = await analysedSession(stack.service.url, { scenario: 'analysis-error' });

    const answer = await readBestShot(stack.service.url, sessionId);

    expectProblem(answer, 404, 'BEST_SHOT_NOT_FOUND', { retryable: false });
    expect(answer.headers.get('content-type')).not.toContain('image/jpeg');
  });

  it('answers 404 BEST_SHOT_NOT_FOUND for a session that took no container yet', async () => {
    const { sessionId } = await createSession(stack.service.url);

    expectProblem(await readBestShot(stack.service.url, sessionId), 404, 'BEST_SHOT_NOT_FOUND');
  });

  it('answers 404 BEST_SHOT_NOT_FOUND for a session failed by a damaged container', async () => {
    const { sessionId } = await analysedSession(stack.service.url, { scenario: 'damaged' });

    expectProblem(await readBestShot(stack.service.url, sessionId), 404, 'BEST_SHOT_NOT_FOUND');
  });

  it('answers 404 SESSION_NOT_FOUND for an unknown session', async () => {
    expectProblem(await readBestShot(stack.service.url, UNKNOWN_SESSION), 404, 'SESSION_NOT_FOUND', { retryable: false });
  });

  it('answers 400 VALIDATION_FAILED for a session id that is not a UUID', async () => {
    expectProblem(await readBestShot(stack.service.url, 'best-shot'), 400, 'VALIDATION_FAILED');
  });
});

describe('GET /v1/sessions/{sessionId}/best-shot when Oz accepts without a best shot', () => {
  let stack: ProxiedStack;

  beforeAll(async () => {
    stack = await startProxiedStack();
  });
  afterAll(() => stack.close());

  it('answers 404 BEST_SHOT_NOT_FOUND and shows bestShotAvailable false', async () => {
    stack.proxy.rewriteNextFolder(withoutOutputImages);
    const { sessionId, upload } = await analysedSession(stack.service.url);

    const answer = await readBestShot(stack.service.url, sessionId);
    const view = await viewSession(stack.service.url, sessionId);

    expect(upload.body.decision).toBe('accepted');
    expectProblem(answer, 404, 'BEST_SHOT_NOT_FOUND');
    expect(view.body.result).toMatchObject({ decision: 'accepted', bestShotAvailable: false });
  });
});

describe('GET /v1/sessions/{sessionId}/best-shot of a real size', () => {
  let stack: ProxiedStack;

  beforeAll(async () => {
    stack = await startProxiedStack();
  });
  afterAll(() => stack.close());

  // The emulator's best shots are small; Oz's are 50–200 KB, long enough to be read from the
  // answer's bytes (src/oz-api/oz-json.ts) rather than as strings.
  it('answers the exact bytes of a best shot of a real size, found after a large PNG', async () => {
    const bestShot = Buffer.concat([buildBestShot('large-best-shot'), randomBytes(200 * 1024)]);
    const mask = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(120 * 1024)]);
    stack.proxy.rewriteNextFolder((folder) => {
      folder.analyses[0].results_media[0].output_images = [{ mask: mask.toString('base64'), image_b64: bestShot.toString('base64') }];
      return folder;
    });
    const { sessionId, upload } = await analysedSession(stack.service.url);

    const answer = await readBestShot(stack.service.url, sessionId);

    expect(upload.status).toBe(201);
    expect(upload.body.decision).toBe('accepted');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-length')).toBe(String(bestShot.length));
    expect(answer.bytes.equals(bestShot)).toBe(true);
  });
});

describe('GET /v1/sessions/{sessionId}/best-shot over time', () => {
  const BEST_SHOT_TTL_SECONDS = 60;
  let stack: Stack;

  beforeEach(async () => {
    stack = await startStack({ BEST_SHOT_TTL_SECONDS: String(BEST_SHOT_TTL_SECONDS) });
  });
  afterEach(() => stack.close());

  it.each(['live', 'spoof'] as const)(
    'answers 410 BEST_SHOT_EXPIRED BEST_SHOT_TTL_SECONDS after completion (%s) and shows bestShotAvailable false',
    async (scenario) => {
      const { sessionId } = await analysedSession(stack.service.url, { scenario });

      stack.service.clock.advance(BEST_SHOT_TTL_SECONDS * 1000 - 1);
      const held = await readBestShot(stack.service.url, sessionId);
      const heldView = await viewSession(stack.service.url, sessionId);
      stack.service.clock.advance(1);
      const gone = await readBestShot(stack.service.url, sessionId);
      const goneView = await viewSession(stack.service.url, sessionId);

      expect(held.status).toBe(200);
      expect(heldView.body.result.bestShotAvailable).toBe(true);
      expectProblem(gone, 410, 'BEST_SHOT_EXPIRED', { retryable: false });
      expect(goneView.status).toBe(200);
      expect(goneView.body).toMatchObject({ status: 'completed', result: { bestShotAvailable: false } });
    },
  );

  it('keeps answering 404 BEST_SHOT_NOT_FOUND, not 410, after the TTL for a session that never had one', async () => {
    const { sessionId } = await analysedSession(stack.service.url, { scenario: 'analysis-error' });

    stack.service.clock.advance(BEST_SHOT_TTL_SECONDS * 1000 + 1);

    expectProblem(await readBestShot(stack.service.url, sessionId), 404, 'BEST_SHOT_NOT_FOUND');
  });
});

describe('GET /v1/sessions/{sessionId}/best-shot when the in-memory store holds all the best-shot bytes it may', () => {
  const PEOPLE = ['cap-first', 'cap-second', 'cap-third'];
  let stack: Stack;

  beforeAll(async () => {
    // Room for the second and third best shots together, not for all three.
    const maxBestShotBytes = buildBestShot(PEOPLE[1]).length + buildBestShot(PEOPLE[2]).length;
    stack = await startStack({}, { providers: [{ provide: IN_MEMORY_STORE_OPTIONS, useValue: { maxBestShotBytes } }] });
  });
  afterAll(() => stack.close());

  it('lets the oldest go before its BEST_SHOT_TTL_SECONDS: 410 for it and its face match, the newer ones still held', async () => {
    const letGoBefore = valueOf(await scrape(stack.service.app), 'best_shots_released_early_total');
    const sessions = [];
    for (const person of PEOPLE) sessions.push(await analysedSession(stack.service.url, { person }));
    const letGo = valueOf(await scrape(stack.service.app), 'best_shots_released_early_total') - letGoBefore;
    const [oldest, second, newest] = sessions;
    stack.emulator.clearRequests();

    const gone = await readBestShot(stack.service.url, oldest.sessionId);
    const goneView = await viewSession(stack.service.url, oldest.sessionId);
    const match = await matchFaces(stack.service.url, oldest.sessionId, referenceForm(buildReferenceImage(PEOPLE[0])));
    const kept = await Promise.all([second, newest].map(({ sessionId }) => readBestShot(stack.service.url, sessionId)));

    expect(sessions.map(({ upload }) => upload.status)).toEqual([201, 201, 201]);
    expectProblem(gone, 410, 'BEST_SHOT_EXPIRED', { retryable: false });
    expect(goneView.body).toMatchObject({ status: 'completed', result: { decision: 'accepted', bestShotAvailable: false } });
    expectProblem(match, 410, 'BEST_SHOT_EXPIRED');
    expect(stack.emulator.requests()).toHaveLength(0);
    expect(kept.map((answer) => answer.status)).toEqual([200, 200]);
    expect(kept.map((answer, i) => answer.bytes.equals(buildBestShot(PEOPLE[i + 1])))).toEqual([true, true]);
    // An operator sees it: the counter moved once, for the oldest.
    expect(letGo).toBe(1);
  });
});

/** The live folder with the best shot taken out of every results_media item. */
function withoutOutputImages(folder: any): unknown {
  for (const analysis of folder.analyses) for (const media of analysis.results_media ?? []) media.output_images = [];
  return folder;
}
