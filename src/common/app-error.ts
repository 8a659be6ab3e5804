import { PROBLEM_CODES, type ProblemCode } from './problem-codes';

export interface AppErrorOptions {
  ozErrorCode?: number | null;
  /** Overrides the code's default, e.g. an Oz auth error is an UPSTREAM_ERROR that a retry will not fix. */
  retryable?: boolean;
  retryAfterSeconds?: number;
  /** Extra response headers, e.g. `WWW-Authenticate`. */
  headers?: Record<string, string>;
}

/** A domain error with a stable problem code; the problem filter turns it into problem+json. */
export class AppError extends Error {
  override readonly name = 'AppError';
  readonly status: number;
  readonly retryable: boolean;
  readonly ozErrorCode: number | null;
  readonly retryAfterSeconds: number | null;
  readonly headers: Record<string, string>;

  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    options: AppErrorOptions = {},
  ) {
    super(detail);
    this.status = PROBLEM_CODES[code].status;
    this.retryable = options.retryable ?? PROBLEM_CODES[code].retryable;
    this.ozErrorCode = options.ozErrorCode ?? null;
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
    this.headers = options.headers ?? {};
  }
}
