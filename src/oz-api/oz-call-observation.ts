import { OzApiError, type OzOperation } from './oz-api.error';

/** How one call to Oz ended, in the words of the metrics (docs/api.md §9). */
export type OzCallOutcome = 'ok' | 'oz_error' | 'timeout' | 'unreachable' | 'reset' | 'invalid_response';

/** One call to Oz that was made (a call refused by our own concurrency limit never reached Oz). */
export interface OzCallObservation {
  operation: OzOperation;
  outcome: OzCallOutcome;
  durationSeconds: number;
}

export type OzCallListener = (observation: OzCallObservation) => void;

/**
 * The outcome of a failed call, or null when Oz was not called at all (`saturated`). An error
 * that is not an OzApiError is a defect of ours, not an answer of Oz, and is not counted either.
 */
export function failedCallOutcome(error: unknown): OzCallOutcome | null {
  if (!(error instanceof OzApiError)) return null;
  switch (error.kind) {
    case 'rejected':
    case 'server':
      return 'oz_error';
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
