/** The Oz error body, `{error_code, error_message, details}`, which every Oz endpoint uses. */
export interface OzErrorBody {
  error_code: number;
  error_message: string;
  details: unknown;
}

const GENERAL_MESSAGES: Record<number, string> = {
  0: 'Unknown server error',
  1: 'Method not allowed',
  2: 'Not implemented',
  3: 'Invalid structure',
  4: 'Invalid value',
  5: 'Invalid type',
  6: 'Access token missing',
  7: 'Access token invalid',
  8: 'Access token expired',
  9: 'Forbidden',
  10: 'Not found',
  11: 'External service error',
};

export class OzHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message = GENERAL_MESSAGES[code] ?? 'Error',
    readonly details: unknown = null,
  ) {
    super(message);
  }

  toBody(): OzErrorBody {
    return { error_code: this.code, error_message: this.message, details: this.details };
  }
}

/** Container and request-data errors: HTTP 400 with the documented fixed message. */
export function invalidRequestData(code: number, details: unknown = null): OzHttpError {
  return new OzHttpError(400, code, 'Invalid request data', details);
}

/** The Oz code an HTTP status most plausibly carries (used for armed status faults and framework errors). */
export function ozCodeForStatus(status: number): number {
  const byStatus: Record<number, number> = { 401: 7, 403: 9, 404: 10, 405: 1, 413: 4, 415: 5, 501: 2, 502: 11 };
  return byStatus[status] ?? (status >= 500 ? 0 : 3);
}

export function ozErrorForStatus(status: number): OzHttpError {
  return new OzHttpError(status, ozCodeForStatus(status));
}
