import { HttpService } from '@nestjs/axios';
import { Inject, Injectable } from '@nestjs/common';
import type { AxiosRequestConfig } from 'axios';
import { decodeJwt } from 'jose';
import { firstValueFrom } from 'rxjs';
import { ozConfig, type OzConfig } from '../config';
import { AnalysisSlots } from './analysis-slots';
import { isOzFolderShape, toOzFolder } from './folder.mapper';
import {
  type FaceMatchImage,
  type OzAnalysisResponse,
  OzApiGateway,
  type OzCallContext,
  type OzSessionToken,
} from './oz-api.gateway';
import { OzApiError } from './oz-api.error';
import { statusError, transportError } from './oz-transport-error';

const FOLDERS_PATH = '/api/instant/folders/';
const SESSION_TOKEN_PATH = '/api/authorize/session_token';
/** A token answer is a short JSON object; far more is not one. */
const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;

/** The only code that speaks HTTP to Oz API Instant. Uploads are never retried. */
@Injectable()
export class HttpOzApiGateway extends OzApiGateway {
  private readonly slots: AnalysisSlots;

  constructor(
    private readonly http: HttpService,
    @Inject(ozConfig.KEY) private readonly config: OzConfig,
  ) {
    super();
    this.slots = new AnalysisSlots(config.maxConcurrency);
  }

  async issueSessionToken(ctx: OzCallContext): Promise<OzSessionToken> {
    const post = this.config.sessionTokenMethod === 'POST';
    const request: AxiosRequestConfig = post
      ? { method: 'POST', url: SESSION_TOKEN_PATH, data: '{}', headers: { 'content-type': 'application/json' } }
      : { method: 'GET', url: SESSION_TOKEN_PATH };
    request.maxContentLength = MAX_TOKEN_RESPONSE_BYTES;
    const { body } = await this.exchange(request, this.config.tokenTimeoutMs, ctx);
    const token = (body as { session_token?: unknown } | null)?.session_token;
    if (typeof token !== 'string' || token.length === 0) {
      throw new OzApiError('bad-response', 200, null, 'Oz token answer without session_token');
    }
    return { token, expiresAt: expiryOf(token) };
  }

  analyzeContainer(container: Buffer, ctx: OzCallContext): Promise<OzAnalysisResponse> {
    const request: AxiosRequestConfig = {
      method: 'POST',
      url: FOLDERS_PATH,
      data: container,
      headers: { 'content-type': 'application/octet-stream' },
    };
    return this.analysis(request, ctx);
  }

  matchFaces(images: FaceMatchImage[], ctx: OzCallContext): Promise<OzAnalysisResponse> {
    const form = new FormData();
    const tags = Object.fromEntries(images.map((image) => [image.name, image.tags]));
    form.append('payload', JSON.stringify({ 'media:tags': tags, analyses: [{ type: 'biometry' }] }));
    // Oz wants each part's field name equal to its filename.
    for (const image of images) form.append(image.name, new Blob([image.bytes], { type: image.contentType }), image.name);
    return this.analysis({ method: 'POST', url: FOLDERS_PATH, data: form }, ctx);
  }

  private async analysis(request: AxiosRequestConfig, ctx: OzCallContext): Promise<OzAnalysisResponse> {
    if (!this.slots.tryAcquire()) {
      throw new OzApiError('saturated', null, null, 'Too many analyses in flight');
    }
    try {
      const { status, body } = await this.exchange(request, this.config.timeoutMs, ctx);
      if (!isOzFolderShape(body)) throw new OzApiError('bad-response', status, null, 'Oz answered a non-folder body');
      return { httpStatus: status, folder: toOzFolder(body) };
    } finally {
      this.slots.release();
    }
  }

  /** One HTTP exchange under a hard deadline; 2xx → parsed JSON, anything else → OzApiError. */
  private async exchange(
    request: AxiosRequestConfig,
    timeoutMs: number,
    ctx: OzCallContext,
  ): Promise<{ status: number; body: unknown }> {
    const deadline = AbortSignal.timeout(timeoutMs);
    const headers = { ...(request.headers as Record<string, string>), ...this.commonHeaders(ctx) };
    let status: number;
    let text: string;
    try {
      const response = await firstValueFrom(this.http.request<string>({ ...request, headers, signal: deadline }));
      status = response.status;
      text = response.data;
    } catch (error) {
      throw transportError(error, deadline.aborted);
    }
    if (status < 200 || status >= 300) throw statusError(status, text);
    try {
      return { status, body: JSON.parse(text) as unknown };
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
