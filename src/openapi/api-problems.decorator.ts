import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, type ExampleObject, getSchemaPath, type HeadersObject } from '@nestjs/swagger';
import { PROBLEM_CODES, type ProblemCode } from '../common/problem-codes';
import { PROBLEM_MEANINGS } from './problem-meanings';
import { ProblemDto } from './problem.dto';
import { headerRefs, type ResponseHeaderName } from './response-headers';

/** "The upstream errors of §3": what any route that calls Oz may answer. */
export const UPSTREAM_PROBLEMS = ['UPSTREAM_ERROR', 'UPSTREAM_UNAVAILABLE', 'UPSTREAM_TIMEOUT'] as const satisfies ProblemCode[];

/** Headers that come with a code on every route (docs/api.md §3). */
const HEADERS_OF: Partial<Record<ProblemCode, ResponseHeaderName[]>> = {
  UNAUTHORIZED: ['WWW-Authenticate'],
  RATE_LIMITED: ['Retry-After'],
  SESSION_IN_PROGRESS: ['Retry-After'],
  ATTEMPTS_EXHAUSTED: ['Retry-After'],
  UPSTREAM_UNAVAILABLE: ['Retry-After'],
  STORE_UNAVAILABLE: ['Retry-After'],
  SERVICE_BUSY: ['Retry-After'],
};

const EXAMPLE_REQUEST_ID = '3f0c2a9e-5d1b-4c8e-9a47-2b6d0e8f1c35';

export interface ProblemResponseOptions {
  /** Headers every answer of the route carries, problems included (POST /v1/sessions: RateLimit-*). */
  headers?: HeadersObject;
}

/**
 * The error answers of a route from the problem codes it can give: one `application/problem+json`
 * response per status, whose schema narrows `code` to that status's codes, with an example each.
 * Every route may also answer 500 INTERNAL_ERROR (a defect), so that one is always added.
 */
export function ApiProblems(codes: readonly ProblemCode[], options: ProblemResponseOptions = {}): MethodDecorator {
  const responses = [...byStatus([...codes, 'INTERNAL_ERROR'])].map(([status, codesOfStatus]) =>
    ApiResponse({
      status,
      description: codesOfStatus.map((code) => `\`${code}\`: ${PROBLEM_MEANINGS[code]}`).join('\n\n'),
      headers: { ...headerRefs(...new Set(codesOfStatus.flatMap((code) => HEADERS_OF[code] ?? []))), ...options.headers },
      content: {
        'application/problem+json': {
          schema: {
            allOf: [
              { $ref: getSchemaPath(ProblemDto) },
              { type: 'object', properties: { status: { type: 'integer', enum: [status] }, code: { type: 'string', enum: codesOfStatus } } },
            ],
          },
          examples: Object.fromEntries(codesOfStatus.map((code) => [code, exampleOf(code)])),
        },
      },
    }),
  );
  return applyDecorators(ApiExtraModels(ProblemDto), ...responses);
}

function byStatus(codes: readonly ProblemCode[]): Map<number, ProblemCode[]> {
  const groups = new Map<number, ProblemCode[]>();
  for (const code of new Set(codes)) {
    const status = PROBLEM_CODES[code].status;
    groups.set(status, [...(groups.get(status) ?? []), code]);
  }
  return groups;
}

function exampleOf(code: ProblemCode): ExampleObject {
  const { status, title, retryable } = PROBLEM_CODES[code];
  return { summary: title, value: { type: 'about:blank', title, status, detail: PROBLEM_MEANINGS[code], code, requestId: EXAMPLE_REQUEST_ID, retryable } };
}
