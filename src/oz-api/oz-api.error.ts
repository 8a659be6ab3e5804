/**
 * Why a call to Oz did not produce a usable answer:
 * - `rejected`: Oz answered 4xx with its error body (`ozErrorCode` when it carried one);
 * - `server`: Oz answered 5xx;
 * - `bad-response`: the connection was reset, or the body was unreadable, incomplete, too large
 *   or not what the endpoint promises;
 * - `timeout`: no complete answer within the deadline;
 * - `unreachable`: no connection could be made;
 * - `saturated`: our own limit of analysis calls in flight was reached; Oz was not called.
 */
export type OzFailureKind = 'rejected' | 'server' | 'bad-response' | 'timeout' | 'unreachable' | 'saturated';

export class OzApiError extends Error {
  override readonly name = 'OzApiError';

  constructor(
    readonly kind: OzFailureKind,
    readonly httpStatus: number | null,
    readonly ozErrorCode: number | null,
    message: string,
  ) {
    super(message);
  }
}
