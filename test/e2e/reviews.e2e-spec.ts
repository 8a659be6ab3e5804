import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startStack, type Stack } from '../app.factory';
import { call, internal } from './http';
import { analysedSession, expectProblem, readBestShot, viewSession } from './internal.helpers';
import { delta } from './metrics.helpers';
import { allPendingIds, listReviews, reviewSession, sessionInReview } from './reviews.helpers';
import { expectAllVerified, expectStandardHeaders, startWebhookStack, waitUntil, type WebhookStack } from './webhooks.helpers';

const UNKNOWN_SESSION = '3d0f6a55-1c2b-4e8f-9a7d-6b5c4e3f2a10';
const ISSUER = 'oz-liveness-service';

/** docs/api.md §15 through the real app, with the Oz emulator's OPERATOR_REQUIRED face match and a webhook receiver. */
describe('human review (docs/api.md §15)', () => {
  let hooks: WebhookStack;
  const url = () => hooks.stack.service.url;
  const app = () => hooks.stack.service.app;
  const clock = () => hooks.stack.service.clock;

  beforeAll(async () => {
    hooks = await startWebhookStack();
  });
  afterAll(() => hooks.close());
  afterEach(() => expectAllVerified(hooks.receiver));

  describe('entering review', () => {
    it('puts a session in review when Oz asks for an operator: the view gains review pending, and the queue lists it', async () => {
      clock().advance(5_000);
      const { sessionId, match } = await sessionInReview(url(), 'review-enter', 'subject-review-enter');
      // The face match's moment, the one that sent it to review (the test clock stood still since).
      const since = clock().now().toISOString();

      expect(match.body.review).toEqual({ status: 'pending', since });
      const view = await viewSession(url(), sessionId);
      expect({ status: view.status, review: view.body.review }).toEqual({ status: 200, review: { status: 'pending', since } });
      const page = await listReviews(url(), '?limit=100');
      expect(page.status).toBe(200);
      expect(page.body.items).toContainEqual({
        sessionId,
        subjectId: 'subject-review-enter',
        subjectVerified: false,
        reason: 'REVIEW_REQUIRED',
        since,
        bestShotAvailable: true,
      });
    });

    it('leaves every other decision out of review while REVIEW_INCONCLUSIVE is false: no review in the view, nothing queued', async () => {
      const { sessionId, upload } = await analysedSession(url(), { scenario: 'analysis-error' });
      expect(upload.body).toMatchObject({ decision: 'inconclusive', reason: 'ANALYSIS_FAILED' });

      const view = await viewSession(url(), sessionId);

      expect({ status: view.status, hasReview: 'review' in view.body }).toEqual({ status: 200, hasReview: false });
      expect(await allPendingIds(url())).not.toContain(sessionId);
    });

    it('keeps the best shot readable for the reviewer while it is held', async () => {
      const { sessionId } = await sessionInReview(url(), 'review-best-shot');

      const bestShot = await readBestShot(url(), sessionId);

      expect({ status: bestShot.status, type: bestShot.headers.get('content-type'), cache: bestShot.headers.get('cache-control') }).toEqual({
        status: 200,
        type: 'image/jpeg',
        cache: 'no-store',
      });
      expect(bestShot.bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    });
  });

  describe("a reviewer's decision", () => {
    it('answers 200 with the decision replaced by the reviewer’s, the review done, and the session leaves the queue', async () => {
      const { sessionId, match } = await sessionInReview(url(), 'review-accept');
      clock().advance(60_000);

      const answer = await reviewSession(url(), sessionId, { decision: 'accepted', reviewer: 'anna.k@kyc', note: 'same person, poor light' });

      expect(answer.status).toBe(200);
      // The session view; attemptsRemaining belongs to the answers of liveness and face matching (§14).
      const { attemptsRemaining: _attempts, ...view } = match.body;
      expect(answer.body).toEqual({
        ...view,
        result: { ...match.body.result, decision: 'accepted', reason: 'REVIEW_ACCEPTED', receipt: expect.any(String) },
        review: {
          status: 'done',
          since: match.body.review.since,
          decidedAt: clock().now().toISOString(),
          reviewer: 'anna.k@kyc',
          note: 'same person, poor light',
        },
      });
      expect(answer.body.result.receipt).not.toBe(match.body.result.receipt);
      await expect(viewSession(url(), sessionId)).resolves.toMatchObject({ status: 200, body: answer.body });
      expect(await allPendingIds(url())).not.toContain(sessionId);
    });

    it('signs a new receipt with the reviewer and when they decided, verifiable with the JWKS, and no note', async () => {
      const { sessionId } = await sessionInReview(url(), 'review-receipt', 'subject-receipt');

      const answer = await reviewSession(url(), sessionId, { decision: 'rejected', reviewer: 'bo', note: 'a printed photo' });

      const jwks = createRemoteJWKSet(new URL(`${url()}/.well-known/jwks.json`));
      const { payload } = await jwtVerify(answer.body.result.receipt, jwks, { issuer: ISSUER, algorithms: ['ES256'], typ: 'JWT' });
      expect(payload).toMatchObject({
        sub: sessionId,
        subjectId: 'subject-receipt',
        decision: 'rejected',
        reason: 'REVIEW_REJECTED',
        review: { reviewer: 'bo', decidedAt: answer.body.review.decidedAt },
        checks: [
          { type: 'liveness', resolution: 'SUCCESS' },
          { type: 'biometry', resolution: 'OPERATOR_REQUIRED' },
        ],
      });
      expect(JSON.stringify(payload)).not.toContain('printed');
    });

    it('POSTs review.completed, signed, with the thin payload of verification.completed and no note', async () => {
      const { sessionId, match } = await sessionInReview(url(), 'review-webhook', 'subject-webhook');

      const answer = await reviewSession(url(), sessionId, { decision: 'rejected', reviewer: 'carla', note: 'not the same person' });

      await waitUntil(
        () => hooks.receiver.deliveries().some((request) => request.payload?.type === 'review.completed' && request.payload.data.sessionId === sessionId),
        'review.completed',
      );
      const delivery = hooks.receiver
        .deliveries()
        .find((request) => request.payload?.type === 'review.completed' && request.payload.data.sessionId === sessionId)!;
      expectStandardHeaders(delivery);
      expect(JSON.parse(delivery.body)).toEqual({
        type: 'review.completed',
        timestamp: answer.body.review.decidedAt,
        data: {
          sessionId,
          subjectId: 'subject-webhook',
          subjectVerified: false,
          decision: 'rejected',
          reason: 'REVIEW_REJECTED',
          folderId: expect.any(String),
          eventSessionId: match.body.result.eventSessionId,
          error: null,
        },
      });
      expect(delivery.body).not.toContain('not the same person');
    });

    it('counts the decision in reviews_completed_total and the queue in reviews_pending', async () => {
      let sessionId = '';
      const entered = await delta(app(), async () => ({ sessionId } = await sessionInReview(url(), 'review-metrics')));
      expect(entered('reviews_pending')).toBe(1);

      const decided = await delta(app(), async () =>
        expect((await reviewSession(url(), sessionId, { decision: 'rejected', reviewer: 'dan' })).status).toBe(200),
      );

      expect(decided('reviews_pending')).toBe(-1);
      expect(decided('reviews_completed_total', { decision: 'rejected' })).toBe(1);
      expect(decided('reviews_completed_total', { decision: 'accepted' })).toBe(0);
    });

    it('answers one of two reviewers at once 200 and the other 409 REVIEW_NOT_PENDING', async () => {
      const { sessionId } = await sessionInReview(url(), 'review-race');

      const answers = await Promise.all(['eve', 'fay'].map((reviewer) => reviewSession(url(), sessionId, { decision: 'accepted', reviewer })));

      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
      expectProblem(
        answers.find((answer) => answer.status === 409)!,
        409,
        'REVIEW_NOT_PENDING',
      );
      const winner = answers.find((answer) => answer.status === 200)!;
      await expect(viewSession(url(), sessionId)).resolves.toMatchObject({ body: { review: { reviewer: winner.body.review.reviewer } } });
    });

    it('answers 409 REVIEW_NOT_PENDING to a review of a session decided already, or never in review, and changes neither', async () => {
      const { sessionId } = await sessionInReview(url(), 'review-twice');
      const first = await reviewSession(url(), sessionId, { decision: 'accepted', reviewer: 'gus' });
      const never = await analysedSession(url());

      expectProblem(await reviewSession(url(), sessionId, { decision: 'rejected', reviewer: 'hal' }), 409, 'REVIEW_NOT_PENDING');
      expectProblem(await reviewSession(url(), never.sessionId, { decision: 'rejected', reviewer: 'hal' }), 409, 'REVIEW_NOT_PENDING');

      await expect(viewSession(url(), sessionId)).resolves.toMatchObject({ body: first.body });
      const untouched = await viewSession(url(), never.sessionId);
      expect({ decision: untouched.body.result.decision, hasReview: 'review' in untouched.body }).toEqual({ decision: 'accepted', hasReview: false });
    });

    it('answers 404 SESSION_NOT_FOUND for an unknown session and 401 without a key', async () => {
      expectProblem(await reviewSession(url(), UNKNOWN_SESSION, { decision: 'accepted', reviewer: 'ivy' }), 404, 'SESSION_NOT_FOUND');
      const unauthorized = await reviewSession(url(), UNKNOWN_SESSION, { decision: 'accepted', reviewer: 'ivy' }, {});
      expectProblem(unauthorized, 401, 'UNAUTHORIZED');
    });

    it.each([
      ['a decision other than accepted or rejected', { decision: 'inconclusive', reviewer: 'ivy' }],
      ['no decision', { reviewer: 'ivy' }],
      ['no reviewer', { decision: 'accepted' }],
      ['a reviewer with a space', { decision: 'accepted', reviewer: 'ivy lee' }],
      ['a reviewer of 129 characters', { decision: 'accepted', reviewer: 'r'.repeat(129) }],
      ['a note of 1001 characters', { decision: 'accepted', reviewer: 'ivy', note: 'n'.repeat(1001) }],
      ['a note that is not a string', { decision: 'accepted', reviewer: 'ivy', note: 7 }],
      ['an unknown field', { decision: 'accepted', reviewer: 'ivy', score: 1 }],
      ['a JSON array', [{ decision: 'accepted', reviewer: 'ivy' }]],
    ])('answers 400 VALIDATION_FAILED to %s, before looking the session up', async (_, body) => {
      expectProblem(await reviewSession(url(), UNKNOWN_SESSION, body), 400, 'VALIDATION_FAILED');
    });

    it('answers 415 to a body that is not JSON', async () => {
      const answer = await call(`${url()}/v1/sessions/${UNKNOWN_SESSION}/review`, {
        method: 'POST',
        headers: internal({ 'content-type': 'text/plain' }),
        body: 'accepted',
      });
      expectProblem(answer, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });
  });

  describe('GET /v1/reviews', () => {
    it('pages oldest first with an opaque cursor, and neither skips nor repeats while reviews come and go', async () => {
      const before = await allPendingIds(url());
      const entered: string[] = [];
      for (const person of ['review-page-1', 'review-page-2', 'review-page-3', 'review-page-4']) {
        clock().advance(1_000);
        entered.push((await sessionInReview(url(), person)).sessionId);
      }
      const ownPage = async (cursor: string | null) => {
        const answer = await listReviews(url(), `?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
        expect(answer.status).toBe(200);
        return answer.body as { items: { sessionId: string }[]; nextCursor: string | null };
      };
      // Walk past the reviews other tests left, to the first of ours.
      let page = await ownPage(null);
      while (page.items[0].sessionId !== entered[0]) page = await ownPage(page.nextCursor);

      // The cursor's own entry is decided, and a later review enters, between pages.
      expect((await reviewSession(url(), entered[0], { decision: 'accepted', reviewer: 'jo' })).status).toBe(200);
      clock().advance(1_000);
      const late = (await sessionInReview(url(), 'review-page-late')).sessionId;
      const seen: string[] = [entered[0]];
      while (page.nextCursor) {
        page = await ownPage(page.nextCursor);
        seen.push(...page.items.map((item) => item.sessionId));
      }

      expect(seen).toEqual([...entered, late]);
      expect(before).not.toContain(late);
    });

    it('answers a page of at most 20 by default', async () => {
      const answer = await listReviews(url());

      expect(answer.status).toBe(200);
      expect(answer.body.items.length).toBeLessThanOrEqual(20);
      expect(Object.keys(answer.body).sort()).toEqual(['items', 'nextCursor']);
    });

    it.each([
      ['limit=0'],
      ['limit=101'],
      ['limit=ten'],
      ['limit=1.5'],
      ['limit=1&limit=2'],
      ['cursor=not-a-cursor'],
      [`cursor=${Buffer.from(`12.${UNKNOWN_SESSION}x`).toString('base64url')}`],
      ['cursor='],
      ['other=1'],
    ])('answers 400 VALIDATION_FAILED to ?%s', async (query) => {
      expectProblem(await listReviews(url(), `?${query}`), 400, 'VALIDATION_FAILED');
    });

    it('answers 401 without a key', async () => {
      expectProblem(await listReviews(url(), '', {}), 401, 'UNAUTHORIZED');
    });
  });
});

describe('human review with REVIEW_INCONCLUSIVE=true', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ REVIEW_INCONCLUSIVE: 'true' });
  });
  afterAll(() => stack.close());

  it('puts every inconclusive liveness decision in review, with its own reason', async () => {
    const { sessionId, upload } = await analysedSession(stack.service.url, { scenario: 'analysis-error' });

    const view = await viewSession(stack.service.url, sessionId);

    expect(view.body.review).toEqual({ status: 'pending', since: upload.body.completedAt });
    const page = await listReviews(stack.service.url);
    expect(page.body.items).toContainEqual(expect.objectContaining({ sessionId, reason: 'ANALYSIS_FAILED' }));
  });

  it('leaves accepted and rejected decisions out of review', async () => {
    const accepted = await analysedSession(stack.service.url);
    const rejected = await analysedSession(stack.service.url, { scenario: 'spoof' });

    const views = await Promise.all([accepted, rejected].map(({ sessionId }) => viewSession(stack.service.url, sessionId)));

    expect(views.map((view) => 'review' in view.body)).toEqual([false, false]);
  });
});
