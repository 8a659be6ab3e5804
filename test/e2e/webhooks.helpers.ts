import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { type ReceivedRequest, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';
import { WebhookDelivery, type DeliveryOutcome } from '../../src/webhooks/webhook-delivery';
import { type ProxiedStack, startProxiedStack } from './internal.helpers';

/** Helpers of the webhook specs: a stack wired to a receiver, the delivery outcomes it reported, keys for Redis runs. */

export interface WebhookStack {
  /** The service, the emulator and the Oz proxy in front of it (to make Oz answer a chosen folder id). */
  stack: ProxiedStack;
  receiver: WebhookReceiver;
  /** Every outcome WebhookDelivery reported (what the metrics count), in order. */
  outcomes: DeliveryOutcome[];
  close(): Promise<void>;
}

/** The service (in process, with the Oz emulator behind a proxy) sending its webhooks to a receiver (a fresh one by default). */
export async function startWebhookStack(env: Record<string, string> = {}, receiver?: WebhookReceiver): Promise<WebhookStack> {
  const target = receiver ?? (await startWebhookReceiver());
  const stack = await startProxiedStack({
    WEBHOOK_URL: target.url,
    WEBHOOK_SECRET: target.secret,
    WEBHOOK_BACKOFF_MS: '50',
    WEBHOOK_TIMEOUT_MS: '1000',
    ...env,
  });
  const outcomes: DeliveryOutcome[] = [];
  stack.service.app.get(WebhookDelivery).onDelivery((outcome) => outcomes.push(outcome));
  return {
    stack,
    receiver: target,
    outcomes,
    close: async () => {
      await stack.close();
      await target.close();
    },
  };
}

/** What REDIS_URL needs beside it (docs/api.md §5): a data key and a receipt signing key, fresh for each run. */
export function redisCompanions(): { DATA_ENCRYPTION_KEY: string; RECEIPT_SIGNING_KEY: string } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { DATA_ENCRYPTION_KEY: randomBytes(32).toString('base64'), RECEIPT_SIGNING_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

export async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The Unix second a webhook-timestamp header names. */
export const secondsOf = (header: string | undefined): number => Number(header);

/** Every request the receiver got verified with the `standardwebhooks` library against WEBHOOK_SECRET. */
export function expectAllVerified(receiver: WebhookReceiver): void {
  expect(receiver.requests().map((request) => request.verificationError)).toEqual(receiver.requests().map(() => null));
}

export function expectStandardHeaders(request: ReceivedRequest): void {
  expect(request.method).toBe('POST');
  expect(request.path).toBe('/hooks/verification');
  expect(request.headers['content-type']).toBe('application/json');
  expect(request.headers['webhook-id']).toMatch(/^evt_[0-9a-f]{32}$/);
  // The Unix second of the attempt (the receiver's clock is the test's).
  expect(secondsOf(request.headers['webhook-timestamp'])).toBeGreaterThanOrEqual(Math.floor(request.receivedAt / 1000) - 1);
  expect(secondsOf(request.headers['webhook-timestamp'])).toBeLessThanOrEqual(Math.floor(request.receivedAt / 1000));
  expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
}
