import { type OzEmulator, startOzEmulator } from '../oz-emulator';
import { type RedisServer, startRedisServer } from '../support/redis-server';
import { sharedStateEnv } from '../support/replica-env';
import { call } from './http';
import { expectProblem, viewSession } from './internal.helpers';
import { valueOf } from './metrics.helpers';
import { ensureBuilt, freePort, type RunningService, spawnService } from './ops.helpers';
import { allPendingIds, listReviews, reviewSession, sessionInReview } from './reviews.helpers';

jest.setTimeout(60_000);

const API_KEY = 'test-internal-key';

/**
 * docs/api.md §15 with real processes: two built services (dist/main.js) on one redis-server share
 * one review queue. A review entered on one is listed and decided on the other, pages continue
 * across replicas, and of two reviewers on two replicas one wins.
 */
describe('human review on two replicas and one Redis', () => {
  let redis: RedisServer;
  let emulator: OzEmulator;
  let a: RunningService & { metricsUrl: string };
  let b: RunningService & { metricsUrl: string };

  async function replica(): Promise<RunningService & { metricsUrl: string }> {
    const metricsPort = await freePort();
    const service = await spawnService(sharedStateEnv(redis.url, { OZ_API_URL: emulator.url, INTERNAL_API_KEYS: API_KEY, METRICS_PORT: String(metricsPort) }));
    return Object.assign(service, { metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` });
  }

  const pendingGauge = async (service: { metricsUrl: string }) => valueOf((await call(service.metricsUrl)).bytes.toString('utf8'), 'reviews_pending');

  beforeAll(async () => {
    ensureBuilt();
    redis = await startRedisServer();
    emulator = await startOzEmulator();
    a = await replica();
    b = await replica();
  });
  afterAll(async () => {
    await Promise.all([a, b].filter(Boolean).map((service) => service.stop()));
    await emulator?.close();
    await redis?.stop();
  });

  it('lists on one replica a review entered on the other, and decides it there', async () => {
    const { sessionId, match } = await sessionInReview(a.url, 'review-replica-one', 'subject-replicas');

    const page = await listReviews(b.url, '?limit=100');
    expect(page.status).toBe(200);
    expect(page.body.items).toContainEqual({
      sessionId,
      subjectId: 'subject-replicas',
      subjectVerified: false,
      reason: 'REVIEW_REQUIRED',
      since: match.body.review.since,
      bestShotAvailable: true,
    });

    const note = `the reviewer's own words ${sessionId}`;
    const decided = await reviewSession(b.url, sessionId, { decision: 'accepted', reviewer: 'replica-reviewer', note });

    expect({ status: decided.status, decision: decided.body.result.decision, reason: decided.body.result.reason }).toEqual({
      status: 200,
      decision: 'accepted',
      reason: 'REVIEW_ACCEPTED',
    });
    await expect(viewSession(a.url, sessionId)).resolves.toMatchObject({ status: 200, body: { review: { status: 'done', reviewer: 'replica-reviewer' } } });
    expect(await allPendingIds(a.url)).not.toContain(sessionId);
    // The note is kept with the session and shown to internal callers, never logged by either replica.
    expect(decided.body.review.note).toBe(note);
    expect([a.output(), b.output()].filter((output) => output.includes("reviewer's own words"))).toEqual([]);
  });

  it('answers one of two reviewers on two replicas at once 200 and the other 409 REVIEW_NOT_PENDING, every time', async () => {
    const sessions = await Promise.all(['review-race-1', 'review-race-2', 'review-race-3'].map((person) => sessionInReview(a.url, person)));

    for (const { sessionId } of sessions) {
      const answers = await Promise.all([
        reviewSession(a.url, sessionId, { decision: 'accepted', reviewer: 'on-a' }),
        reviewSession(b.url, sessionId, { decision: 'rejected', reviewer: 'on-b' }),
      ]);

      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
      expectProblem(
        answers.find((answer) => answer.status === 409)!,
        409,
        'REVIEW_NOT_PENDING',
      );
      const winner = answers.find((answer) => answer.status === 200)!;
      const stored = await viewSession(b.url, sessionId);
      expect({ decision: stored.body.result.decision, reviewer: stored.body.review.reviewer }).toEqual({
        decision: winner.body.result.decision,
        reviewer: winner.body.review.reviewer,
      });
    }
  });

  it('continues on one replica a page begun on the other, and both count the one shared queue in reviews_pending', async () => {
    const entered = [];
    for (const person of ['review-pages-1', 'review-pages-2', 'review-pages-3']) entered.push((await sessionInReview(b.url, person)).sessionId);
    const everything = await allPendingIds(a.url);

    const first = await listReviews(a.url, '?limit=2');
    const second = await listReviews(b.url, `?limit=100&cursor=${first.body.nextCursor}`);

    expect([first.status, second.status]).toEqual([200, 200]);
    const ids = [...first.body.items, ...second.body.items].map((item: { sessionId: string }) => item.sessionId);
    expect(ids).toEqual(everything);
    expect(everything.slice(-3)).toEqual(entered);
    await expect(Promise.all([pendingGauge(a), pendingGauge(b)])).resolves.toEqual([everything.length, everything.length]);
  });
});
