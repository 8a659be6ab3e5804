import { Webhook } from 'standardwebhooks';
import { Agent, request } from 'undici';
import type { WebhookMessage } from './webhook-event';

/** How one attempt ended; `failure` names why, for the give-up log line (a status or an error code, never a body). */
export type AttemptResult = { delivered: true } | { delivered: false; failure: string };

/** Deliveries in flight at once per replica; the sender's sockets to the receiver are bounded the same. */
export const MAX_DELIVERIES_IN_FLIGHT = 8;

/** Below the idle timeouts of common servers and proxies, as for Oz: a reused socket must not be one being closed. */
const KEEP_ALIVE_MS = 4_000;
/** Leaves the AbortSignal as the one deadline: undici's own timers must never fire first. */
const TIMER_SLACK_MS = 1_000;
/** A receiver's answer is not read, only drained so the socket can be reused; a long one is cut off. */
const MAX_DRAINED_BYTES = 64 * 1024;

export interface WebhookTarget {
  url: string;
  /** `whsec_` + base64 (Standard Webhooks): the HMAC key. */
  secret: string;
  timeoutMs: number;
}

/**
 * One signed POST of an event to WEBHOOK_URL (Standard Webhooks). Success is a 2xx within the
 * deadline; anything else, a 3xx included (undici 7's request() follows no redirect without the
 * redirect interceptor, which this agent does not have), is a failed attempt. Nothing is retried
 * here: the queues own the schedule.
 */
export class WebhookSender {
  private readonly signer: Webhook;
  private readonly agent = new Agent({ keepAliveTimeout: KEEP_ALIVE_MS, keepAliveMaxTimeout: KEEP_ALIVE_MS, connections: MAX_DELIVERIES_IN_FLIGHT });

  constructor(private readonly target: WebhookTarget) {
    this.signer = new Webhook(target.secret);
  }

  async send(message: Pick<WebhookMessage, 'id' | 'body'>): Promise<AttemptResult> {
    const attemptAt = new Date();
    const deadline = AbortSignal.timeout(this.target.timeoutMs);
    try {
      const { statusCode, body } = await request(this.target.url, {
        dispatcher: this.agent,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': message.id,
          'webhook-timestamp': String(Math.floor(attemptAt.getTime() / 1000)),
          'webhook-signature': this.signer.sign(message.id, attemptAt, message.body),
        },
        body: message.body,
        signal: deadline,
        headersTimeout: this.target.timeoutMs + TIMER_SLACK_MS,
        bodyTimeout: this.target.timeoutMs + TIMER_SLACK_MS,
      });
      await body.dump({ limit: MAX_DRAINED_BYTES }).catch(() => undefined);
      return statusCode >= 200 && statusCode < 300 ? { delivered: true } : { delivered: false, failure: `HTTP ${statusCode}` };
    } catch (error) {
      return { delivered: false, failure: deadline.aborted ? 'timeout' : failureCode(error) };
    }
  }

  /** Waits for attempts in flight (each bounded by its deadline), then closes the sockets. */
  close(): Promise<void> {
    return this.agent.close();
  }
}

/** A system or undici code (ECONNREFUSED, UND_ERR_SOCKET); the message may quote the URL, which may hold credentials. */
function failureCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? code : 'transport error';
}
