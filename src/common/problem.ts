import { HttpException } from '@nestjs/common';
import { OzApiError } from '../oz-api/oz-api.error';
import { AppError } from './app-error';
import { ozProblem } from './oz-problems';
import { PROBLEM_CODES, type ProblemCode } from './problem-codes';

export interface ProblemBody {
  type: 'about:blank';
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  requestId: string;
  retryable: boolean;
  ozErrorCode?: number;
}

export interface Problem {
  status: number;
  headers: Record<string, string>;
  body: ProblemBody;
  /** True for defects: the only problems worth a stack trace in the logs. */
  internal: boolean;
}

/** Errors Fastify and its plugins raise before our code runs, by their stable `code`. */
const FRAMEWORK_CODES: Record<string, [ProblemCode, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['UNSUPPORTED_MEDIA_TYPE', 'This Content-Type is not accepted here.'],
  FST_INVALID_MULTIPART_CONTENT_TYPE: ['UNSUPPORTED_MEDIA_TYPE', 'The request is not multipart/form-data.'],
  FST_ERR_CTP_BODY_TOO_LARGE: ['PAYLOAD_TOO_LARGE', 'The request body is over its size limit.'],
  FST_REQ_FILE_TOO_LARGE: ['PAYLOAD_TOO_LARGE', 'The reference image is over its size limit.'],
  FST_FILES_LIMIT: ['VALIDATION_FAILED', 'The form has too many file parts.'],
  FST_FIELDS_LIMIT: ['VALIDATION_FAILED', 'The form has too many text parts.'],
  FST_PARTS_LIMIT: ['VALIDATION_FAILED', 'The form has too many parts.'],
};

/** By HTTP status, for framework errors without a known code; details never echo the cause. */
function codeForStatus(status: number): [ProblemCode, string] {
  if (status === 413) return ['PAYLOAD_TOO_LARGE', 'The request body is over its size limit.'];
  if (status === 415 || status === 406) return ['UNSUPPORTED_MEDIA_TYPE', 'This Content-Type is not accepted here.'];
  if (status === 404 || status === 405) return ['ROUTE_NOT_FOUND', 'No such route.'];
  if (status >= 400 && status < 500) return ['VALIDATION_FAILED', 'The request is malformed.'];
  return ['INTERNAL_ERROR', 'An unexpected error occurred.'];
}

function statusOf(error: unknown): number | null {
  if (error instanceof HttpException) return error.getStatus();
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : null;
}

/** Any thrown value → the one problem+json answer of docs/api.md §3: ours, Oz's (one table), or the framework's. */
export function toProblem(thrown: unknown, requestId: string): Problem {
  const error = thrown instanceof OzApiError ? ozProblem(thrown) : thrown;
  if (error instanceof AppError) {
    const headers = { ...error.headers };
    if (error.retryAfterSeconds !== null) headers['retry-after'] = String(error.retryAfterSeconds);
    return build(error.code, error.detail, requestId, headers, error.retryable, error.ozErrorCode);
  }
  const frameworkCode = (error as { code?: unknown } | null)?.code;
  const known = typeof frameworkCode === 'string' ? FRAMEWORK_CODES[frameworkCode] : undefined;
  const status = statusOf(error);
  const [code, detail] = known ?? codeForStatus(status ?? 500);
  return build(code, detail, requestId, {}, PROBLEM_CODES[code].retryable, null);
}

/** A problem of our own code table, for answers written outside the filter. */
export function problemOf(code: ProblemCode, detail: string, requestId: string): Problem {
  return build(code, detail, requestId, {}, PROBLEM_CODES[code].retryable, null);
}

function build(code: ProblemCode, detail: string, requestId: string, headers: Record<string, string>, retryable: boolean, ozErrorCode: number | null): Problem {
  const { status, title } = PROBLEM_CODES[code];
  const body: ProblemBody = { type: 'about:blank', title, status, detail, code, requestId, retryable };
  if (ozErrorCode !== null) body.ozErrorCode = ozErrorCode;
  return { status, headers, body, internal: code === 'INTERNAL_ERROR' };
}
