import type { Logger } from '@nestjs/common';
import { OzApiError, type OzOperation } from './oz-api.error';

/** How one call to Oz ended, in the words of the metrics (docs/api.md §9). */
export type OzCallOutcome = 'ok' | 'oz_error' | 'timeout' | 'unreachable' | 'reset' | 'invalid_response';

/**
 * Why a call did not succeed, in the words an operator acts on: Oz failing (`oz_5xx`, and the
 * transport outcomes), Oz refusing this service (`oz_refused_service`: its credentials, or a
 * request it does not take), or Oz refusing what a caller sent (`caller_data`: nobody's fault here).
 */
export type OzFailureCause = 'oz_5xx' | 'oz_refused_service' | 'caller_data' | 'timeout' | 'unreachable' | 'reset' | 'invalid_response';
export const OZ_FAILURE_CAUSES: readonly OzFailureCause[] = [
  'oz_5xx',
  'oz_refused_service',
  'caller_data',
  'timeout',
  'unreachable',
  'reset',
  'invalid_response',
];

/** One call to Oz that was made (a call refused by our own concurrency limit never reached Oz). */
export interface OzCallObservation {
  operation: OzOperation;
  outcome: OzCallOutcome;
  durationSeconds: number;
  /** Set when the call did not succeed. */
  cause?: OzFailureCause;
}

export type OzCallListener = (observation: OzCallObservation) => void;

/**
 * The cause of a failed call (its error marked with the operation), or null when Oz was not called
 * at all (`saturated`). An error that is not an OzApiError is a defect of ours, not an answer of
 * Oz, and is not counted either.
 */
export function failureCauseOf(error: unknown): OzFailureCause | null {
  if (!(error instanceof OzApiError)) return null;
  switch (error.kind) {
    case 'server':
      return 'oz_5xx';
    case 'rejected':
      return error.refusesCallersData ? 'caller_data' : 'oz_refused_service';
    case 'bad-response':
      return 'invalid_response';
    case 'timeout':
    case 'unreachable':
    case 'reset':
      return error.kind;
    case 'saturated':
      return null;
  }
}

/** The outcome label of §9 for a cause: every answer with an error status is `oz_error`. */
export function outcomeOf(cause: OzFailureCause): OzCallOutcome {
  return cause === 'oz_5xx' || cause === 'oz_refused_service' || cause === 'caller_data' ? 'oz_error' : cause;
}

/** The outcome label of a failed call, or null when Oz was not called (`failureCauseOf`). */
export function failedCallOutcome(error: unknown): OzCallOutcome | null {
  const cause = failureCauseOf(error);
  return cause === null ? null : outcomeOf(cause);
}

/**
 * The one line of a call to Oz that did not succeed (docs/api.md §17): operation, outcome, status,
 * Oz's code and duration, never a body. Oz refusing what the caller sent is the caller's matter
 * (info); Oz failing, or refusing this service, is an operator's (error).
 */
export function logFailedCall(logger: Logger, error: OzApiError, line: { requestId: string; ozOutcome: OzCallOutcome; durationMs: number }): void {
  const fields = {
    requestId: line.requestId,
    ozOperation: error.operation,
    ozOutcome: line.ozOutcome,
    ozStatus: error.httpStatus,
    ozErrorCode: error.ozErrorCode,
    durationMs: line.durationMs,
  };
  if (error.refusesCallersData) logger.log(fields, 'oz call refused the data sent');
  else logger.error(fields, `oz call failed: ${error.message}`);
}
