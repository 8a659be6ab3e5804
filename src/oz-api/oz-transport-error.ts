import { OzApiError } from './oz-api.error';

// ETIMEDOUT and UND_ERR_CONNECT_TIMEOUT are connect timeouts: our deadline is an AbortSignal.
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']);
// undici's own timers are set past the deadline; should one still fire, it is a timeout all the same.
const TIMED_OUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
// The peer closed or reset the socket mid-exchange (undici reports "other side closed" as UND_ERR_SOCKET).
const RESET = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/**
 * A failed HTTP exchange (no status to read) → OzApiError. The original error is dropped on
 * purpose: it may hold request data (headers with the access token, the body) and must never
 * travel further or reach a log. A socket the peer closed or reset is `reset`; anything else
 * (an answer over the size cap, an error without a code) is an unusable answer.
 */
export function transportError(error: unknown, deadlineReached: boolean): OzApiError {
  const codes = codesOf(error);
  if (deadlineReached || codes.some((code) => TIMED_OUT.has(code))) {
    return new OzApiError('timeout', null, null, 'Oz did not answer within the deadline');
  }
  const unreachable = codes.find((code) => UNREACHABLE.has(code));
  if (unreachable) return new OzApiError('unreachable', null, null, `Oz could not be reached (${unreachable})`);
  const reset = codes.find((code) => RESET.has(code));
  if (reset) return new OzApiError('reset', null, null, `Oz closed the connection without a whole answer (${reset})`);
  return new OzApiError('bad-response', null, null, `Oz sent no usable answer (${codes[0] ?? 'unknown'})`);
}

/** undici keeps the system error (ECONNRESET, ECONNREFUSED…) in `cause` of its own errors. */
function codesOf(error: unknown): string[] {
  const outer = (error as { code?: unknown; cause?: unknown } | null) ?? null;
  const inner = (outer?.cause as { code?: unknown } | null | undefined) ?? null;
  return [outer?.code, inner?.code].filter((code): code is string => typeof code === 'string');
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
