import type { OzCallListener, OzCallObservation } from './oz-call-observation';
import type { OzFolder } from './oz-folder';

/** What every call to Oz carries: the request id to pass on as `X-Request-Id`. */
export interface OzCallContext {
  requestId: string;
}

/** One image of a face-matching request, sent as a multipart file part. */
export interface FaceMatchImage {
  /** Field name and filename of the part (Oz requires them to be equal), e.g. `reference.jpg`. */
  name: string;
  bytes: Buffer;
  contentType: 'image/jpeg' | 'image/png';
  /** Oz media tags, e.g. `['photo_id', 'photo_id_front']` or `['photo_selfie']`. */
  tags: string[];
}

/**
 * The container exactly as the client sent it, in the chunks it arrived in: forwarded as they
 * are, never joined into one buffer (that would be a second copy of up to MAX_CONTAINER_BYTES).
 */
export interface ContainerBytes {
  readonly chunks: readonly Buffer[];
  readonly length: number;
}

/** A folder and the 2xx status it came with (for the analysis log line). */
export interface OzAnalysisResponse {
  httpStatus: number;
  folder: OzFolder;
}

export interface OzSessionToken {
  token: string;
  /** The JWT `exp` claim when the token is a JWT carrying one. */
  expiresAt: Date | null;
}

/**
 * The only door to Oz API Instant. An abstract class so that it serves as the injection token;
 * `HttpOzApiGateway` is the implementation that speaks HTTP. Every failure is an `OzApiError`
 * marked with the operation it happened in.
 */
export abstract class OzApiGateway {
  private readonly callListeners: OzCallListener[] = [];

  /** Called once per call made to Oz, when it ended (the metrics time them; oz-api knows no metrics). */
  observeCalls(listener: OzCallListener): void {
    this.callListeners.push(listener);
  }

  protected reportCall(observation: OzCallObservation): void {
    for (const listener of this.callListeners) listener(observation);
  }

  /** Analysis calls in flight to Oz right now (at most OZ_MAX_CONCURRENCY). */
  abstract analysesInFlight(): number;

  abstract issueSessionToken(ctx: OzCallContext): Promise<OzSessionToken>;
  /** Forwards the container bytes unchanged (liveness). Never retried. */
  abstract analyzeContainer(container: ContainerBytes, ctx: OzCallContext): Promise<OzAnalysisResponse>;
  /**
   * Whether an analysis call would get a slot now (OZ_MAX_CONCURRENCY). Checked before a body
   * is read, so that a saturated service refuses an upload at once instead of after receiving it.
   * A call that finds no slot when it starts fails with an OzApiError of kind `saturated`.
   */
  abstract hasAnalysisCapacity(): boolean;
  /** Face matching of the given images (biometry). Never retried. */
  abstract matchFaces(images: FaceMatchImage[], ctx: OzCallContext): Promise<OzAnalysisResponse>;
}
