import { InMemoryWebhookQueue, MAX_PENDING_EVENTS } from './in-memory-webhook-queue';
import type { AttemptPlace, WebhookDelivery } from './webhook-delivery';
import type { WebhookMessage } from './webhook-event';
import { MAX_DELIVERIES_IN_FLIGHT } from './webhook-sender';

interface Attempt {
  message: WebhookMessage;
  place: AttemptPlace;
  settle(delivered: boolean): void;
}

/** A delivery whose attempts wait until the test settles them; give-ups are only noted. */
function scriptedDelivery(config = { maxAttempts: 3, backoffMs: 1_000 }) {
  const attempts: Attempt[] = [];
  const givenUp: { message: WebhookMessage; why: string }[] = [];
  const delivery = {
    config,
    attempt: (message: WebhookMessage, place: AttemptPlace) => new Promise<boolean>((resolve) => attempts.push({ message, place, settle: resolve })),
    giveUp: (message: WebhookMessage, why: string) => void givenUp.push({ message, why }),
    close: async () => undefined,
  };
  return { delivery: delivery as unknown as WebhookDelivery, attempts, givenUp };
}

const message = (id: string): WebhookMessage => ({ id, type: 'verification.completed', body: `{"id":"${id}"}` });
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('InMemoryWebhookQueue', () => {
  afterEach(() => jest.useRealTimers());

  it(`keeps at most ${MAX_DELIVERIES_IN_FLIGHT} attempts in flight and starts the next as one ends`, async () => {
    const { delivery, attempts } = scriptedDelivery();
    const queue = new InMemoryWebhookQueue(delivery);

    for (let i = 0; i < 20; i++) await queue.enqueue(message(`evt_${i}`));

    expect(attempts).toHaveLength(MAX_DELIVERIES_IN_FLIGHT);
    attempts[0].settle(true);
    await settled();
    expect(attempts).toHaveLength(MAX_DELIVERIES_IN_FLIGHT + 1);
    expect(attempts.map((attempt) => attempt.message.id)).toEqual(Array.from({ length: MAX_DELIVERIES_IN_FLIGHT + 1 }, (_, i) => `evt_${i}`));
  });

  it('takes an event id once, while it is held and after it was delivered (a replay enqueues it again)', async () => {
    const { delivery, attempts } = scriptedDelivery();
    const queue = new InMemoryWebhookQueue(delivery);

    await queue.enqueue(message('evt_a'));
    await queue.enqueue(message('evt_a'));
    attempts[0].settle(true);
    await settled();
    await queue.enqueue(message('evt_a'));
    await settled();

    expect(attempts).toHaveLength(1);
  });

  it('retries after WEBHOOK_BACKOFF_MS, then 4× longer, and tells the last attempt it is the last', async () => {
    jest.useFakeTimers();
    const { delivery, attempts } = scriptedDelivery({ maxAttempts: 3, backoffMs: 1_000 });
    const queue = new InMemoryWebhookQueue(delivery);

    await queue.enqueue(message('evt_b'));
    attempts[0].settle(false);
    await jest.advanceTimersByTimeAsync(999);
    expect(attempts).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(attempts).toHaveLength(2);
    attempts[1].settle(false);
    await jest.advanceTimersByTimeAsync(3_999);
    expect(attempts).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);
    attempts[2].settle(false);
    await jest.advanceTimersByTimeAsync(60_000);

    expect(attempts.map((attempt) => attempt.place)).toEqual([
      { attempt: 1, last: false },
      { attempt: 2, last: false },
      { attempt: 3, last: true },
    ]);
  });

  it(`gives up at once an event that finds ${MAX_PENDING_EVENTS} events held (a receiver long down), and holds no more`, async () => {
    const { delivery, attempts, givenUp } = scriptedDelivery();
    const queue = new InMemoryWebhookQueue(delivery);

    for (let i = 0; i < MAX_PENDING_EVENTS; i++) await queue.enqueue(message(`evt_${i}`));
    await queue.enqueue(message('evt_one_more'));

    expect(givenUp).toEqual([{ message: message('evt_one_more'), why: `${MAX_PENDING_EVENTS} events are already waiting` }]);
    attempts[0].settle(true);
    await settled();
    await queue.enqueue(message('evt_after_room'));
    expect(givenUp).toHaveLength(1);
  });

  it('at shutdown lets attempts in flight finish, drops the events waiting for a retry, and takes no new ones', async () => {
    jest.useFakeTimers();
    const { delivery, attempts } = scriptedDelivery();
    const queue = new InMemoryWebhookQueue(delivery);
    await queue.enqueue(message('evt_retrying'));
    attempts[0].settle(false);
    await queue.enqueue(message('evt_in_flight'));

    const closing = queue.onApplicationShutdown();
    let closed = false;
    void closing.then(() => (closed = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(closed).toBe(false);
    attempts[1].settle(true);
    await closing;
    await queue.enqueue(message('evt_late'));
    await jest.advanceTimersByTimeAsync(60_000);

    expect(attempts.map((attempt) => attempt.message.id)).toEqual(['evt_retrying', 'evt_in_flight']);
  });
});
