import { OzApiError } from './oz-api.error';

// ETIMEDOUT is the TCP connect timeout (our deadline is an AbortSignal, axios' own timeout is unused).
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ETIMEDOUT']);
const TIMED_OUT = new Set(['ECONNABORTED', 'ERR_CANCELED']);

/**
 * A failed HTTP exchange (no status to read) → OzApiError. The original error is dropped on
 * purpose: an axios error holds the request config, i.e. the container bytes and the access
 * token, and must never travel further or reach a log.
 */
export function transportError(error: unknown, deadlineReached: boolean): OzApiError {
  const code = (error as { code?: unknown } | null)?.code;
  if (deadlineReached || (typeof code === 'string' && TIMED_OUT.has(code))) {
    return new OzApiError('timeout', null, null, 'Oz did not answer within the deadline');
  }
  if (typeof code === 'string' && UNREACHABLE.has(code)) {
    return new OzApiError('unreachable', null, null, `Oz could not be reached (${code})`);
  }
  const reason = typeof code === 'string' ? code : 'unknown';
  return new OzApiError('bad-response', null, null, `Oz sent no usable answer (${reason})`);
}

/** An answer with a status: 4xx and 5xx carry the Oz error body, whose `error_code` we keep. */
export function statusError(status: number, body: string): OzApiError {
  const ozErrorCode = errorCodeOf(body);
  if (status >= 500) return new OzApiError('server', status, ozErrorCode, `Oz answered ${status}`);
  if (status >= 400) return new OzApiError('rejected', status, ozErrorCode, `Oz answered ${status}`);
  return new OzApiError('bad-response', status, null, `Oz answered an unexpected status ${status}`);
}

function errorCodeOf(body: string): number | null {
  try {
    const code = (JSON.parse(body) as { error_code?: unknown } | null)?.error_code;
    return Number.isInteger(code) ? (code as number) : null;
  } catch {
    return null;
  }
}
