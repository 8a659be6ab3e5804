import type { IncomingMessage } from 'node:http';
import type { ProblemCode } from './problem-codes';

/**
 * The problem code each error answer carried, for the request's log line (docs/api.md §17),
 * which Fastify's onResponse hook writes after the filter has sent the answer. Keyed by the raw
 * request, so an entry goes with its request.
 */
const answered = new WeakMap<IncomingMessage, ProblemCode>();

export function noteProblemCode(request: IncomingMessage, code: ProblemCode): void {
  answered.set(request, code);
}

export function problemCodeOf(request: IncomingMessage): ProblemCode | undefined {
  return answered.get(request);
}
