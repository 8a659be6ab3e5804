/**
 * Why a call to Oz did not produce a usable answer:
 * - `rejected`: Oz answered 4xx with its error body (`ozErrorCode` when it carried one);
 * - `server`: Oz answered 5xx;
 * - `reset`: Oz (or a proxy in front of it) closed or reset the connection before a whole answer;
 * - `bad-response`: the body was unreadable, incomplete, too large or not what the endpoint promises;
 * - `timeout`: no complete answer within the deadline;
 * - `unreachable`: no connection could be made;
 * - `saturated`: our own limit of analysis calls in flight was reached; Oz was not called.
 */
export type OzFailureKind = 'rejected' | 'server' | 'reset' | 'bad-response' | 'timeout' | 'unreachable' | 'saturated';

/** The three calls the service makes to Oz. */
export type OzOperation = 'session_token' | 'liveness' | 'biometry';

/** Oz's container error codes (HTTP 400 on the liveness route): 13 before unpacking, 14 invalid, 3–5 after. */
export const OZ_CONTAINER_ERROR_CODES: ReadonlySet<number> = new Set([3, 4, 5, 13, 14]);
/** Oz refusing this service's credentials: access token missing, invalid, expired; forbidden. */
const OZ_AUTH_CODES: ReadonlySet<number> = new Set([6, 7, 8, 9]);

export class OzApiError extends Error {
  override readonly name = 'OzApiError';

  constructor(
    readonly kind: OzFailureKind,
    readonly httpStatus: number | null,
    readonly ozErrorCode: number | null,
    message: string,
    /** Which call failed; the gateway sets it, so that one table can map every failure. */
    readonly operation: OzOperation | null = null,
    /** Every byte of the request was handed to the connection before the call failed. */
    readonly requestSent = false,
  ) {
    super(message);
  }

  /** The same failure, marked with the call it happened in. */
  during(operation: OzOperation): OzApiError {
    return new OzApiError(this.kind, this.httpStatus, this.ozErrorCode, this.message, operation, this.requestSent);
  }

  /** The same failure, marked as one that came after the whole request was sent. */
  afterRequestSent(): OzApiError {
    return new OzApiError(this.kind, this.httpStatus, this.ozErrorCode, this.message, this.operation, true);
  }

  /**
   * Oz may have used what it was sent (docs/api.md §18): the whole request went out and no usable
   * answer came back. A refusal (4xx) says Oz did not; an unreachable Oz or our own limit, that
   * nothing was sent.
   */
  get mayHaveBeenUsed(): boolean {
    return this.requestSent && (this.kind === 'timeout' || this.kind === 'server' || this.kind === 'reset' || this.kind === 'bad-response');
  }

  /** Oz refusing our credentials: codes 6–9, or a 401/403 whose body carried no code. */
  get isAuthRefusal(): boolean {
    if (this.kind !== 'rejected') return false;
    if (this.ozErrorCode !== null) return OZ_AUTH_CODES.has(this.ozErrorCode);
    return this.httpStatus === 401 || this.httpStatus === 403;
  }

  /**
   * Oz refused what the caller sent (the container on the liveness route, the images on the
   * biometry route): the caller's problem, not Oz failing or this service misconfigured.
   */
  get refusesCallersData(): boolean {
    if (this.operation === 'liveness') return this.isContainerRejection;
    return this.operation === 'biometry' && this.kind === 'rejected' && !this.isAuthRefusal;
  }

  /** Oz refusing the container itself (400 with code 3, 4, 5, 13 or 14): the only failure that ends a session. */
  get isContainerRejection(): boolean {
    return this.kind === 'rejected' && this.httpStatus === 400 && this.ozErrorCode !== null && OZ_CONTAINER_ERROR_CODES.has(this.ozErrorCode);
  }
}
