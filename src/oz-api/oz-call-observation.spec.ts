import { OzApiError, type OzFailureKind } from './oz-api.error';
import { failedCallOutcome } from './oz-call-observation';

describe('failedCallOutcome', () => {
  it.each([
    ['rejected', 'oz_error'],
    ['server', 'oz_error'],
    ['reset', 'reset'],
    ['bad-response', 'invalid_response'],
    ['timeout', 'timeout'],
    ['unreachable', 'unreachable'],
  ] as [OzFailureKind, string][])('names a %s failure %s', (kind, outcome) => {
    expect(failedCallOutcome(new OzApiError(kind, null, null, 'x'))).toBe(outcome);
  });

  it('reports nothing for a call our own limit refused (Oz was not called) nor for an error that is not an Oz failure', () => {
    expect(failedCallOutcome(new OzApiError('saturated', null, null, 'x'))).toBeNull();
    expect(failedCallOutcome(new TypeError('a defect'))).toBeNull();
  });
});
