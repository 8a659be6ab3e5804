/**
 * The largest delay a Node timer can wait (about 24.8 days); a longer one would fire at once.
 * Only a configuration far beyond any sensible one (WEBHOOK_BACKOFF_MS × 4^n) reaches it.
 */
export const MAX_RETRY_DELAY_MS = 2 ** 31 - 1;

/**
 * Contract §10: the first retry waits WEBHOOK_BACKOFF_MS, each later one 4× the one before.
 * `failedAttempts` counts the attempts made so far (1 after the first failure).
 */
export function retryDelayMs(backoffMs: number, failedAttempts: number): number {
  return Math.min(backoffMs * 4 ** Math.max(0, failedAttempts - 1), MAX_RETRY_DELAY_MS);
}
