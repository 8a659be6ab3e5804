import type { OzConfig } from '../config';
import { HttpOzApiGateway } from './http-oz-api.gateway';
import type { OzSessionToken } from './oz-api.gateway';
import { OzApiError } from './oz-api.error';
import { OzHttpClient } from './oz-http-client';

const VERSION_PATH = '/api/version';
const MAX_VERSION_BYTES = 16 * 1024;
const VERSION_TIMEOUT_MS = 5_000;

/** What `GET /api/version` told: offered or not, the version when it names one, Oz's clock. */
export interface OzVersion {
  status: number;
  version: string | null;
  /** Oz's `Date` header, when it sent one. */
  serverDate: Date | null;
}

/** How Oz answered an empty liveness upload: the documented answer is 400 with code 13. */
export type EmptyUploadAnswer = { refused: true; httpStatus: number | null; ozErrorCode: number | null; kind: string } | { refused: false };

/**
 * The diagnostics' view of Oz (`npm run doctor`): the same HTTP client and gateway the service
 * uses, asked the questions an operator needs answered before traffic comes, with no biometric
 * data — a version, a session token, and an empty upload that Oz refuses before it unpacks anything.
 */
export class OzProbe {
  private readonly client: OzHttpClient;
  private readonly gateway: HttpOzApiGateway;

  constructor(private readonly config: OzConfig) {
    this.client = new OzHttpClient(config.baseUrl);
    this.gateway = new HttpOzApiGateway(config);
  }

  /** Throws an OzApiError when Oz cannot be reached or does not answer in time. */
  async version(requestId: string): Promise<OzVersion> {
    const headers: Record<string, string> = { 'x-request-id': requestId, accept: 'application/json' };
    if (this.config.accessToken) headers['x-forensic-access-token'] = this.config.accessToken;
    const answer = await this.client.send({ method: 'GET', path: VERSION_PATH, headers, timeoutMs: VERSION_TIMEOUT_MS, maxResponseBytes: MAX_VERSION_BYTES });
    const serverDate = answer.date ? new Date(answer.date) : null;
    return {
      status: answer.status,
      version: answer.status === 200 ? versionOf(answer.body) : null,
      serverDate: serverDate && !Number.isNaN(serverDate.getTime()) ? serverDate : null,
    };
  }

  sessionToken(requestId: string): Promise<OzSessionToken> {
    return this.gateway.issueSessionToken({ requestId });
  }

  async emptyUpload(requestId: string): Promise<EmptyUploadAnswer> {
    try {
      await this.gateway.analyzeContainer({ chunks: [], length: 0 }, { requestId });
      return { refused: false };
    } catch (error) {
      if (!(error instanceof OzApiError)) throw error;
      return { refused: true, httpStatus: error.httpStatus, ozErrorCode: error.ozErrorCode, kind: error.kind };
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.client.close(), this.gateway.onApplicationShutdown()]);
  }
}

/** `{"version": "…"}` or a similar short field; anything else is reported as unnamed. */
function versionOf(body: Buffer): string | null {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown> | null;
    for (const field of ['version', 'core', 'api_version']) {
      const value = parsed?.[field];
      if (typeof value === 'string' && /^[\w.+ -]{1,64}$/.test(value)) return value;
    }
  } catch {
    // Not JSON: Oz answered, without a version we can name.
  }
  return null;
}
