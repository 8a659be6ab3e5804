import { errors } from 'undici';
import { statusError, transportError } from './oz-transport-error';

function systemError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 10.0.0.1:8080`), { code });
}

describe('transportError', () => {
  it('is a timeout whenever the deadline was reached, whatever undici threw', () => {
    const error = transportError(new DOMException('The operation was aborted due to timeout', 'TimeoutError'), true);
    expect(error).toMatchObject({ kind: 'timeout', httpStatus: null, ozErrorCode: null });
  });

  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])('is unreachable for %s', (code) => {
    expect(transportError(systemError(code), false)).toMatchObject({ kind: 'unreachable', message: `Oz could not be reached (${code})` });
  });

  it('is unreachable when undici could not connect in time', () => {
    expect(transportError(new errors.ConnectTimeoutError(), false).kind).toBe('unreachable');
  });

  it('is unreachable when the system code is only in the cause of an undici error', () => {
    const wrapped = Object.assign(new errors.SocketError('connect failed'), { cause: systemError('ECONNREFUSED') });
    expect(transportError(wrapped, false).kind).toBe('unreachable');
  });

  it.each([
    ['a socket the other side closed', new errors.SocketError('other side closed')],
    ['a reset in the cause', Object.assign(new Error('fetch failed'), { cause: systemError('ECONNRESET') })],
    ['a broken pipe', systemError('EPIPE')],
  ])('is a reset for %s', (_, cause) => {
    expect(transportError(cause, false)).toMatchObject({ kind: 'reset', httpStatus: null, ozErrorCode: null });
  });

  it.each([
    ['a closed client', new errors.ClientClosedError()],
    ['an answer over the size cap', new errors.ResponseExceededMaxSizeError()],
    ['something without a code', new Error('???')],
  ])('is a bad response for %s', (_, cause) => {
    expect(transportError(cause, false)).toMatchObject({ kind: 'bad-response', httpStatus: null, ozErrorCode: null });
  });

  it("is a timeout when one of undici's own timers fired", () => {
    expect(transportError(new errors.HeadersTimeoutError(), false).kind).toBe('timeout');
    expect(transportError(new errors.BodyTimeoutError(), false).kind).toBe('timeout');
  });

  it('never carries the original error, which may hold request data', () => {
    const original = Object.assign(systemError('ECONNRESET'), { headers: { 'x-forensic-access-token': 'secret' } });
    const error = transportError(original, false);
    expect(error.cause).toBeUndefined();
    expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain('secret');
  });
});

describe('statusError', () => {
  it('keeps the Oz error_code of a 4xx as rejected and of a 5xx as server', () => {
    expect(statusError(400, '{"error_code":14,"error_message":"Invalid request data"}')).toMatchObject({ kind: 'rejected', httpStatus: 400, ozErrorCode: 14 });
    expect(statusError(503, '{"error_code":0}')).toMatchObject({ kind: 'server', httpStatus: 503, ozErrorCode: 0 });
  });

  it('has no Oz code when the error body is not JSON, and calls a 3xx a bad response', () => {
    expect(statusError(502, '<html>bad gateway</html>')).toMatchObject({ kind: 'server', ozErrorCode: null });
    expect(statusError(302, '')).toMatchObject({ kind: 'bad-response', httpStatus: 302 });
  });
});
