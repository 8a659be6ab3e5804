import { BadRequestException, Logger, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './app-error';
import { toProblem } from './problem';
import { ProblemFilter } from './problem.filter';

/** A Fastify error as Fastify and its plugins raise it: a stable `code` and a `statusCode`. */
function fastifyError(code: string, statusCode: number, message: string): Error {
  return Object.assign(new Error(message), { code, statusCode });
}

describe('toProblem', () => {
  it('turns a defect into 500 INTERNAL_ERROR with a generic detail, never the message or stack', () => {
    const defect = new TypeError("Cannot read properties of undefined (reading 'sessionToken') at /srv/app/secret.ts:42");

    const problem = toProblem(defect, 'req-1');

    expect(problem).toEqual({
      status: 500,
      headers: {},
      internal: true,
      body: {
        type: 'about:blank',
        title: 'Internal error',
        status: 500,
        detail: 'An unexpected error occurred.',
        code: 'INTERNAL_ERROR',
        requestId: 'req-1',
        retryable: false,
      },
    });
    expect(JSON.stringify(problem.body)).not.toMatch(/sessionToken|secret\.ts|TypeError/);
  });

  it.each([null, undefined, 'a thrown string', 42, { message: 'an object' }])('turns the non-error %p into 500 INTERNAL_ERROR', (thrown) => {
    const problem = toProblem(thrown, 'req-2');

    expect(problem.status).toBe(500);
    expect(problem.body).toMatchObject({ code: 'INTERNAL_ERROR', detail: 'An unexpected error occurred.', requestId: 'req-2' });
  });

  it.each([
    ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 413, 'PAYLOAD_TOO_LARGE'],
    ['FST_REQ_FILE_TOO_LARGE', 413, 413, 'PAYLOAD_TOO_LARGE'],
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['FST_INVALID_MULTIPART_CONTENT_TYPE', 406, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['FST_FILES_LIMIT', 413, 400, 'VALIDATION_FAILED'],
    ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 400, 'VALIDATION_FAILED'],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 400, 'VALIDATION_FAILED'],
  ])('maps the Fastify error %s (%i) to %i %s without echoing its message', (code, fastifyStatus, status, problemCode) => {
    const problem = toProblem(fastifyError(code, fastifyStatus, 'Body is too large: 99999999 bytes, /tmp/upload-xyz'), 'req-3');

    expect(problem.status).toBe(status);
    expect(problem.internal).toBe(false);
    expect(problem.body).toEqual({
      type: 'about:blank',
      title: expect.any(String),
      status,
      detail: expect.any(String),
      code: problemCode,
      requestId: 'req-3',
      retryable: false,
    });
    expect(problem.body.detail).not.toMatch(/99999999|upload-xyz/);
  });

  it.each([
    [new NotFoundException('Cannot GET /nope'), 404, 'ROUTE_NOT_FOUND'],
    [new BadRequestException('Unexpected token } in JSON'), 400, 'VALIDATION_FAILED'],
    [new PayloadTooLargeException(), 413, 'PAYLOAD_TOO_LARGE'],
    [fastifyError('FST_ERR_SOMETHING_NEW', 405, 'Method not allowed'), 404, 'ROUTE_NOT_FOUND'],
    [fastifyError('FST_ERR_SOMETHING_NEW', 503, 'Service Unavailable'), 500, 'INTERNAL_ERROR'],
  ])('maps a framework error without a known code by its status: %p → %i %s', (error, status, code) => {
    const problem = toProblem(error, 'req-4');

    expect(problem.status).toBe(status);
    expect(problem.body.code).toBe(code);
    expect(problem.body.detail).not.toMatch(/Cannot GET|Unexpected token/);
  });

  it('keeps the ozErrorCode, the retry hint as Retry-After and the extra headers of an AppError', () => {
    const error = new AppError('UPSTREAM_UNAVAILABLE', 'Oz could not be reached.', { ozErrorCode: 0, retryAfterSeconds: 2, headers: { 'x-extra': 'yes' } });

    const problem = toProblem(error, 'req-5');

    expect(problem).toEqual({
      status: 503,
      headers: { 'x-extra': 'yes', 'retry-after': '2' },
      internal: false,
      body: {
        type: 'about:blank',
        title: 'Upstream unavailable',
        status: 503,
        detail: 'Oz could not be reached.',
        code: 'UPSTREAM_UNAVAILABLE',
        requestId: 'req-5',
        retryable: true,
        ozErrorCode: 0,
      },
    });
  });

  it('lets an AppError override the default retryability of its code', () => {
    const problem = toProblem(new AppError('UPSTREAM_ERROR', 'Oz refused our credentials.', { retryable: false, ozErrorCode: 7 }), 'req-6');

    expect(problem.status).toBe(502);
    expect(problem.body).toMatchObject({ code: 'UPSTREAM_ERROR', retryable: false, ozErrorCode: 7 });
    expect(problem.headers).toEqual({});
  });

  it('omits ozErrorCode when the error has none', () => {
    const problem = toProblem(new AppError('CONTAINER_INVALID', 'Start a new session.', { ozErrorCode: 14 }), 'req-7');
    const without = toProblem(new AppError('SESSION_NOT_FOUND', 'No such session.'), 'req-7');

    expect(problem.body.ozErrorCode).toBe(14);
    expect(without.body).not.toHaveProperty('ozErrorCode');
  });
});

describe('ProblemFilter.reply', () => {
  function fakeReply(sent = false) {
    const reply = {
      sent,
      statusCode: 0,
      headersSet: {} as Record<string, string>,
      payload: undefined as unknown,
      status(code: number) {
        reply.statusCode = code;
        return reply;
      },
      headers(values: Record<string, string>) {
        Object.assign(reply.headersSet, values);
        return reply;
      },
      header(name: string, value: string) {
        reply.headersSet[name] = value;
        return reply;
      },
      send(payload: unknown) {
        reply.payload = payload;
        return reply;
      },
    };
    return reply;
  }

  afterEach(() => jest.restoreAllMocks());

  it('writes a defect as problem+json 500 and logs its stack, not in the body', () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const reply = fakeReply();

    new ProblemFilter().reply(new Error('boom at secret place'), { id: 'req-8', raw: { complete: true } } as FastifyRequest, reply as unknown as FastifyReply);

    expect(reply.statusCode).toBe(500);
    expect(reply.headersSet['content-type']).toBe('application/problem+json');
    expect(reply.payload).toEqual(expect.objectContaining({ code: 'INTERNAL_ERROR', requestId: 'req-8', detail: 'An unexpected error occurred.' }));
    expect(JSON.stringify(reply.payload)).not.toContain('secret place');
    expect(logged).toHaveBeenCalledTimes(1);
  });

  it('writes Retry-After and WWW-Authenticate headers of an AppError and logs nothing', () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const reply = fakeReply();

    new ProblemFilter().reply(
      new AppError('UNAUTHORIZED', 'A key is needed.', { headers: { 'www-authenticate': 'Bearer' } }),
      { id: 'req-9', raw: { complete: true } } as FastifyRequest,
      reply as unknown as FastifyReply,
    );

    expect(reply.statusCode).toBe(401);
    expect(reply.headersSet).toEqual({ 'www-authenticate': 'Bearer', 'content-type': 'application/problem+json' });
    expect(logged).not.toHaveBeenCalled();
  });

  it('does not write a second answer when one was already sent', () => {
    const reply = fakeReply(true);

    new ProblemFilter().reply(
      new AppError('SESSION_NOT_FOUND', 'No such session.'),
      { id: 'req-10', raw: { complete: true } } as FastifyRequest,
      reply as unknown as FastifyReply,
    );

    expect(reply.statusCode).toBe(0);
    expect(reply.payload).toBeUndefined();
  });
});
