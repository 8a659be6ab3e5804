import { startStack } from '../app.factory';
import { startWebhookReceiver } from '../support/webhook-receiver';
import { call } from './http';
import { scrape, valueOf } from './metrics.helpers';
import { analysedSession } from './internal.helpers';
import { expectAllVerified, expectStandardHeaders, secondsOf, sleep, startWebhookStack, waitUntil, type WebhookStack } from './webhooks.helpers';

describe('webhook retries (the in-memory queue)', () => {
  let hooks: WebhookStack | null = null;
  afterEach(async () => {
    const closing = hooks;
    hooks = null;
    await closing?.close();
    if (closing) expectAllVerified(closing.receiver);
  });

  it('retries an event answered 500 after WEBHOOK_BACKOFF_MS, then 4× longer, with the same webhook-id and body and a new timestamp', async () => {
    hooks = await startWebhookStack({ WEBHOOK_BACKOFF_MS: '400' });
    hooks.receiver.answer((_request, index) => ({ status: index < 2 ? 500 : 204 }));

    const { sessionId } = await analysedSession(hooks.stack.service.url);
    const attempts = await hooks.receiver.waitForRequests(3);

    expect(attempts.map((request) => request.status)).toEqual([500, 500, 204]);
    expect(new Set(attempts.map((request) => request.headers['webhook-id'])).size).toBe(1);
    expect(new Set(attempts.map((request) => request.body)).size).toBe(1);
    expect(attempts[0].payload.data.sessionId).toBe(sessionId);
    for (const attempt of attempts) expectStandardHeaders(attempt);
    expect(attempts[1].receivedAt - attempts[0].receivedAt).toBeGreaterThanOrEqual(400);
    expect(attempts[2].receivedAt - attempts[1].receivedAt).toBeGreaterThanOrEqual(1_600);
    // 2 s apart: each attempt is signed at its own time.
    expect(secondsOf(attempts[2].headers['webhook-timestamp'])).toBeGreaterThan(secondsOf(attempts[0].headers['webhook-timestamp']));
    expect(attempts[2].headers['webhook-signature']).not.toBe(attempts[0].headers['webhook-signature']);
    await waitUntil(() => hooks?.outcomes.length === 3, 'three outcomes');
    expect(hooks.outcomes).toEqual(['failed_attempt', 'failed_attempt', 'delivered']);
    const metrics = await scrape(hooks.stack.service.app);
    expect(['delivered', 'failed_attempt', 'gave_up'].map((outcome) => valueOf(metrics, 'webhook_deliveries_total', { outcome }))).toEqual([1, 2, 0]);
  });

  it('retries an attempt that got no answer within WEBHOOK_TIMEOUT_MS', async () => {
    hooks = await startWebhookStack({ WEBHOOK_TIMEOUT_MS: '200' });
    hooks.receiver.answer((_request, index) => (index === 0 ? { status: 200, delayMs: 2_000 } : { status: 200 }));

    await analysedSession(hooks.stack.service.url);
    const [late, answered] = await hooks.receiver.waitForRequests(2);

    expect(answered.headers['webhook-id']).toBe(late.headers['webhook-id']);
    expect(answered.receivedAt - late.receivedAt).toBeGreaterThanOrEqual(200);
    await waitUntil(() => hooks?.outcomes.length === 2, 'two outcomes');
    expect(hooks.outcomes).toEqual(['failed_attempt', 'delivered']);
  });

  it('keeps retrying while the receiver refuses connections, and delivers once it listens again', async () => {
    const receiver = await startWebhookReceiver({ listening: false });
    hooks = await startWebhookStack({ WEBHOOK_MAX_ATTEMPTS: '6' }, receiver);

    await analysedSession(hooks.stack.service.url);
    await waitUntil(() => hooks?.outcomes.length === 2, 'two refused attempts');
    await receiver.listen();
    const [delivery] = await receiver.waitForDeliveries(1);
    await waitUntil(() => hooks?.outcomes.includes('delivered') === true, 'the outcome of the delivery');

    // Two refusals at least (a slow machine may fit a third in before the receiver is back), then the delivery.
    expect(hooks.outcomes.slice(-1)).toEqual(['delivered']);
    expect(hooks.outcomes.slice(0, -1)).toEqual(hooks.outcomes.slice(0, -1).map(() => 'failed_attempt'));
    expect(hooks.outcomes.length).toBeGreaterThanOrEqual(3);
    expect(receiver.requests()).toEqual([delivery]);
    expectStandardHeaders(delivery);
  });

  it('never follows a redirect (a 3xx is a failed attempt) and gives the event up after WEBHOOK_MAX_ATTEMPTS', async () => {
    const elsewhere = await startWebhookReceiver();
    try {
      hooks = await startWebhookStack({ WEBHOOK_MAX_ATTEMPTS: '3' });
      hooks.receiver.answer(() => ({ status: 307, headers: { location: elsewhere.url } }));

      await analysedSession(hooks.stack.service.url);
      await waitUntil(() => hooks?.outcomes.includes('gave_up') === true, 'the event is given up');
      // The next retry would have come 50 × 4² ms after the third attempt.
      await sleep(1_000);

      expect(hooks.receiver.requests().map((request) => request.status)).toEqual([307, 307, 307]);
      expect(new Set(hooks.receiver.requests().map((request) => request.headers['webhook-id'])).size).toBe(1);
      expect(elsewhere.requests()).toEqual([]);
      expect(hooks.outcomes).toEqual(['failed_attempt', 'failed_attempt', 'failed_attempt', 'gave_up']);
    } finally {
      await elsewhere.close();
    }
  });
});

describe('webhooks when WEBHOOK_URL is unset', () => {
  it('queues and sends nothing, and the service answers as usual', async () => {
    const receiver = await startWebhookReceiver();
    const stack = await startStack();
    try {
      const { upload } = await analysedSession(stack.service.url);
      expect(upload.status).toBe(201);
      await sleep(300);
      expect(receiver.requests()).toEqual([]);
      expect((await call(`${stack.service.url}/health/ready`)).status).toBe(200);
    } finally {
      await stack.close();
      await receiver.close();
    }
  });
});
