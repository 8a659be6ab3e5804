import { Writable } from 'node:stream';
import Fastify from 'fastify';
import pino from 'pino';
import { logRequests } from './request-logging';

/** The request lines a real Fastify writes through a real pino logger, one JSON object each. */
async function linesFor(statuses: [number, Record<string, string>][]): Promise<{ level: number; msg: string; res: { statusCode: number } }[]> {
  const written: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written.push(chunk.toString('utf8'));
      done();
    },
  });
  const fastify = Fastify();
  logRequests(fastify, pino({ level: 'debug' }, sink));
  fastify.get('/answer/:index', async (request, reply) => {
    const [status, headers] = statuses[Number((request.params as { index: string }).index)];
    return reply.status(status).headers(headers).send({});
  });
  for (let index = 0; index < statuses.length; index++) await fastify.inject({ method: 'GET', url: `/answer/${index}` });
  await fastify.close();
  return written.map((line) => JSON.parse(line));
}

describe('logRequests', () => {
  it('logs defects and Oz failing at error, a 503 that asks to retry at warn, refusals at info and the rest at debug (§17)', async () => {
    const lines = await linesFor([
      [500, {}],
      [502, {}],
      [503, {}],
      [503, { 'retry-after': '1' }],
      [429, { 'retry-after': '30' }],
      [404, {}],
      [201, {}],
    ]);

    expect(lines.map((line) => [line.res.statusCode, line.level, line.msg])).toEqual([
      [500, 50, 'request failed'],
      [502, 50, 'request failed'],
      [503, 50, 'request failed'],
      [503, 40, 'request failed'],
      [429, 30, 'request refused'],
      [404, 30, 'request refused'],
      [201, 20, 'request completed'],
    ]);
  });
});
