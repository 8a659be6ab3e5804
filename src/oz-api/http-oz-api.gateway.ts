import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { decodeJwt } from 'jose';
import { FormData } from 'undici';
import { ozConfig, type OzConfig } from '../config';
import { AnalysisSlots } from './analysis-slots';
import { isOzFolderShape, toOzFolder } from './folder.mapper';
import { type ContainerBytes, type FaceMatchImage, type OzAnalysisResponse, OzApiGateway, type OzCallContext, type OzSessionToken } from './oz-api.gateway';
import { OzApiError, type OzOperation } from './oz-api.error';
import { failureCauseOf, logFailedCall, outcomeOf } from './oz-call-observation';
import { MAX_RESPONSE_BYTES, type OzHttpCall, OzHttpClient } from './oz-http-client';
import { bodyText, parseOzJson, textOf } from './oz-json';
import { statusError } from './oz-transport-error';

const FOLDERS_PATH = '/api/instant/folders/';
const SESSION_TOKEN_PATH = '/api/authorize/session_token';
/** A token answer is a short JSON object; far more is not one. */
const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;

type OzRequest = Pick<OzHttpCall, 'method' | 'path' | 'body'> & { headers?: Record<string, string> };

/** The only code that speaks HTTP to Oz API Instant. Uploads are never retried. */
@Injectable()
export class HttpOzApiGateway extends OzApiGateway implements OnApplicationShutdown {
  private readonly logger = new Logger('OzApi');
  private readonly slots: AnalysisSlots;
  private readonly client: OzHttpClient;

  constructor(@Inject(ozConfig.KEY) private readonly config: OzConfig) {
    super();
    this.slots = new AnalysisSlots(config.maxConcurrency);
    this.client = new OzHttpClient(config.baseUrl);
  }

  /** After the server has drained: the pooled sockets must not keep the process (or a test) alive. */
  onApplicationShutdown(): Promise<void> {
    return this.client.close();
  }

  hasAnalysisCapacity(): boolean {
    return this.slots.available;
  }

  analysesInFlight(): number {
    return this.slots.used;
  }

  issueSessionToken(ctx: OzCallContext): Promise<OzSessionToken> {
    return this.marked('session_token', ctx, async () => {
      const request: OzRequest =
        this.config.sessionTokenMethod === 'POST'
          ? { method: 'POST', path: SESSION_TOKEN_PATH, body: '{}', headers: { 'content-type': 'application/json' } }
          : { method: 'GET', path: SESSION_TOKEN_PATH };
      const { body } = await this.exchange(request, this.config.tokenTimeoutMs, MAX_TOKEN_RESPONSE_BYTES, ctx);
      const token = textOf((body as { session_token?: unknown } | null)?.session_token);
      if (typeof token !== 'string' || token.length === 0) {
        throw new OzApiError('bad-response', 200, null, 'Oz token answer without session_token');
      }
      return { token, expiresAt: expiryOf(token) };
    });
  }

  /** A failure after the last chunk went out is marked so: Oz may have used the container (§18). */
  analyzeContainer(container: ContainerBytes, ctx: OzCallContext): Promise<OzAnalysisResponse> {
    const headers = { 'content-type': 'application/octet-stream', 'content-length': String(container.length) };
    const body = new SentChunks(container.chunks);
    return this.marked('liveness', ctx, async () => {
      try {
        return await this.analysis({ method: 'POST', path: FOLDERS_PATH, body, headers }, ctx);
      } catch (error) {
        throw error instanceof OzApiError && body.allSent ? error.afterRequestSent() : error;
      }
    });
  }

  matchFaces(images: FaceMatchImage[], ctx: OzCallContext): Promise<OzAnalysisResponse> {
    const form = new FormData();
    const tags = Object.fromEntries(images.map((image) => [image.name, image.tags]));
    form.append('payload', JSON.stringify({ 'media:tags': tags, analyses: [{ type: 'biometry' }] }));
    // Oz wants each part's field name equal to its filename.
    for (const image of images) form.append(image.name, new Blob([image.bytes], { type: image.contentType }), image.name);
    return this.marked('biometry', ctx, () => this.analysis({ method: 'POST', path: FOLDERS_PATH, body: form }, ctx));
  }

  /**
   * Every failure leaves the gateway marked with its operation, so that one table can map it;
   * every call made is reported, and every one that failed explains itself in one log line.
   */
  private async marked<T>(operation: OzOperation, ctx: OzCallContext, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const durationSeconds = () => (performance.now() - started) / 1000;
    try {
      const result = await call();
      this.reportCall({ operation, outcome: 'ok', durationSeconds: durationSeconds() });
      return result;
    } catch (error) {
      const marked = error instanceof OzApiError ? error.during(operation) : error;
      const cause = failureCauseOf(marked);
      if (cause) {
        const outcome = outcomeOf(cause);
        this.reportCall({ operation, outcome, durationSeconds: durationSeconds(), cause });
        logFailedCall(this.logger, marked as OzApiError, { requestId: ctx.requestId, ozOutcome: outcome, durationMs: Math.round(durationSeconds() * 1000) });
      }
      throw marked;
    }
  }

  private async analysis(request: OzRequest, ctx: OzCallContext): Promise<OzAnalysisResponse> {
    if (!this.slots.tryAcquire()) {
      throw new OzApiError('saturated', null, null, 'Too many analyses in flight');
    }
    try {
      const { status, body } = await this.exchange(request, this.config.timeoutMs, MAX_RESPONSE_BYTES, ctx);
      if (!isOzFolderShape(body)) throw new OzApiError('bad-response', status, null, 'Oz answered a non-folder body');
      return { httpStatus: status, folder: toOzFolder(body) };
    } finally {
      this.slots.release();
    }
  }

  /** One HTTP exchange under a hard deadline; 2xx → parsed JSON, anything else → OzApiError. */
  private async exchange(request: OzRequest, timeoutMs: number, maxResponseBytes: number, ctx: OzCallContext): Promise<{ status: number; body: unknown }> {
    const headers = { ...request.headers, ...this.commonHeaders(ctx) };
    const { status, body } = await this.client.send({ ...request, headers, timeoutMs, maxResponseBytes });
    if (status < 200 || status >= 300) throw statusError(status, bodyText(body));
    try {
      return { status, body: parseOzJson(body) };
    } catch {
      throw new OzApiError('bad-response', status, null, 'Oz answered a body that is not JSON');
    }
  }

  private commonHeaders(ctx: OzCallContext): Record<string, string> {
    const headers: Record<string, string> = { 'x-request-id': ctx.requestId, accept: 'application/json' };
    if (this.config.accessToken) headers['x-forensic-access-token'] = this.config.accessToken;
    return headers;
  }
}

/** The token's `exp` when it is a JWT carrying one; Oz's claims are not public, so anything else is null. */
function expiryOf(token: string): Date | null {
  try {
    const { exp } = decodeJwt(token);
    return typeof exp === 'number' && Number.isFinite(exp) ? new Date(exp * 1000) : null;
  } catch {
    return null;
  }
}

/**
 * The container's chunks as undici writes them (it takes any iterable body as is), noting when it
 * asked past the last one: by then every byte was written to the connection.
 */
class SentChunks implements Iterable<Buffer> {
  allSent = false;

  constructor(private readonly chunks: readonly Buffer[]) {}

  *[Symbol.iterator](): Iterator<Buffer> {
    yield* this.chunks;
    this.allSent = true;
  }
}
