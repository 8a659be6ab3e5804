import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { ReceiptsConfig, WebhooksConfig } from '../config';
import { ReceiptSigner } from '../receipts/receipt-signer';
import { testEvent } from '../webhooks/webhook-event';
import { WebhookSender } from '../webhooks/webhook-sender';
import { type CheckLine, fail, ok, warn } from './check-line';

/** The receipt key parses, signs, and what it signs verifies against the JWKS the service publishes. */
export async function checkReceipts(config: ReceiptsConfig): Promise<CheckLine> {
  if (config.signingKeyPem === null) {
    return warn('receipts.key', 'RECEIPT_SIGNING_KEY is unset: each start makes its own key, so receipts do not verify across restarts or replicas');
  }
  const signer = new ReceiptSigner(config);
  await signer.onModuleInit();
  const receipt = signer.sign({
    sessionId: `doctor-${randomUUID()}`,
    subjectId: null,
    subjectVerified: false,
    decision: 'inconclusive',
    reason: 'UNEXPECTED_RESULT',
    folderId: null,
    eventSessionId: null,
    checks: [],
    issuedAt: new Date(),
  });
  try {
    await jwtVerify(receipt, createLocalJWKSet(signer.jwks), { issuer: config.issuer, algorithms: ['ES256'] });
    return ok('receipts.key', `receipts are signed with kid ${signer.jwks.keys[0].kid} (ES256) and verify against /.well-known/jwks.json`);
  } catch {
    return fail('receipts.key', 'a receipt signed with RECEIPT_SIGNING_KEY did not verify against its own JWKS');
  }
}

/** With --webhook: one signed `webhook.test` event to WEBHOOK_URL, which must answer 2xx. */
export async function checkWebhook(config: WebhooksConfig, send: boolean): Promise<CheckLine> {
  if (config.url === null || config.secret === null) {
    return send ? fail('webhook', 'WEBHOOK_URL is unset: there is nothing to test') : ok('webhook', 'WEBHOOK_URL is unset: no events are sent');
  }
  const target = new URL(config.url).origin;
  if (!send) return ok('webhook', `events go to ${target}; run with --webhook to send a signed test event`);
  const sender = new WebhookSender({ url: config.url, secret: config.secret, timeoutMs: config.timeoutMs });
  try {
    const result = await sender.send(testEvent(new Date()));
    if (result.delivered) return ok('webhook', `${target} answered 2xx to a signed webhook.test event`);
    return fail(
      'webhook',
      `${target} did not accept a signed webhook.test event (${result.failure}): check WEBHOOK_URL, and that the receiver verifies with WEBHOOK_SECRET`,
    );
  } finally {
    await sender.close();
  }
}
