import { Agent, type Dispatcher, errors, type FormData, request } from 'undici';
import { transportError } from './oz-transport-error';

/**
 * Oz folders carry a few base64 images (a few hundred KB); anything far beyond is not a folder
 * we want to hold, times OZ_MAX_CONCURRENCY, as text and then parsed.
 */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/**
 * Below the idle timeouts of common servers and proxies (Node 5 s, nginx 75 s, ALB 60 s): a socket
 * we reuse must not be one the server is closing at that moment, which would fail an upload that
 * is never retried. A server's `Keep-Alive: timeout` hint can only shorten it.
 */
const KEEP_ALIVE_MS = 4_000;

/** Bounds the sockets to one Oz; analyses are bounded lower by OZ_MAX_CONCURRENCY, the excess of token calls waits. */
const MAX_CONNECTIONS = 256;

/** Leaves the AbortSignal as the one deadline: undici's own timers must never fire first. */
const TIMER_SLACK_MS = 1_000;

export interface OzHttpCall {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  /** A container travels as the chunks it arrived in (undici writes an iterable body as is). */
  body?: Buffer | FormData | string | Iterable<Buffer>;
  timeoutMs: number;
  /** Longer answers are refused as unusable (the agent caps every answer at MAX_RESPONSE_BYTES). */
  maxResponseBytes: number;
}

export interface OzHttpAnswer {
  status: number;
  /** Oz's `Date` header, for the diagnostics' clock check. */
  date: string | null;
  /** The body as received (parsed by parseOzJson: a folder's images never become strings). */
  body: Buffer;
}

/**
 * The HTTP exchange with Oz on one keep-alive undici Agent. Redirects are never followed (an
 * upload must not be sent twice; undici 7's request() only follows them through the redirect
 * interceptor, which this agent does not have) and nothing is retried. Every failure without a status becomes
 * an OzApiError; the original error never leaves, as it may hold request data.
 */
export class OzHttpClient {
  private readonly agent = new Agent({
    keepAliveTimeout: KEEP_ALIVE_MS,
    keepAliveMaxTimeout: KEEP_ALIVE_MS,
    connections: MAX_CONNECTIONS,
    maxResponseSize: MAX_RESPONSE_BYTES,
  });

  constructor(private readonly baseUrl: string) {}

  /** Any status comes back with its body as text; only a failed exchange throws. */
  async send(call: OzHttpCall): Promise<OzHttpAnswer> {
    // Not AbortSignal.timeout(): its timer cannot be cleared, so every call left a live timer and
    // signal behind for timeoutMs (thousands at once on the token path, found by the profile).
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), call.timeoutMs);
    try {
      const { statusCode, headers, body } = await request(this.baseUrl + call.path, {
        dispatcher: this.agent,
        method: call.method,
        headers: call.headers,
        body: call.body as Dispatcher.RequestOptions['body'],
        signal: deadline.signal,
        headersTimeout: call.timeoutMs + TIMER_SLACK_MS,
        bodyTimeout: call.timeoutMs + TIMER_SLACK_MS,
      });
      const date = typeof headers.date === 'string' ? headers.date : null;
      return { status: statusCode, date, body: await readBody(body, headers['content-length'], call.maxResponseBytes) };
    } catch (error) {
      throw transportError(error, deadline.signal.aborted);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits for calls in flight (each bounded by its deadline), then closes the pooled sockets. */
  close(): Promise<void> {
    return this.agent.close();
  }
}

/**
 * Reads the whole body into one Buffer, from the chunks as they come (not undici's arrayBuffer(),
 * which zero-fills the whole length before copying into it). One declared over the limit is
 * dropped unread; any other is counted as it arrives and dropped the moment it passes the limit,
 * so a small limit (a token answer) holds even when the agent's maxResponseSize is far larger.
 */
function readBody(body: Dispatcher.ResponseData['body'], declaredLength: unknown, maxBytes: number): Promise<Buffer> {
  if (Number(declaredLength) > maxBytes) {
    body.destroy();
    return Promise.reject(new errors.ResponseExceededMaxSizeError());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    body.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > maxBytes) body.destroy(new errors.ResponseExceededMaxSizeError());
      else chunks.push(chunk);
    });
    body.once('error', reject);
    body.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length)));
  });
}
