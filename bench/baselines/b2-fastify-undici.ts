/**
 * B2 — best practice without Nest: plain Fastify 5 + undici 7 doing the service's job. The body
 * is buffered by Fastify (bodyLimit), forwarded with a keep-alive undici Agent, and the folder is
 * reduced to the service's small answer.
 *   GET  /token    → fetch U's token, answer { sessionId, sessionToken, expiresAt }
 *   POST /liveness → forward the bytes, answer the reduced folder
 * Env: PORT, OZ_API_URL, MAX_CONTAINER_BYTES.
 */
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';
import { Agent, request } from 'undici';
import { reduceFolder, sessionAnswer } from './reduce';

const base = process.env.OZ_API_URL ?? 'http://127.0.0.1:8080';
const dispatcher = new Agent({ connections: 1024, keepAliveTimeout: 60_000 });
const app = Fastify({ logger: false, bodyLimit: Number(process.env.MAX_CONTAINER_BYTES ?? 20 * 1024 * 1024) });

app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

app.get('/health', async () => 'ok');

app.get('/token', async (_req, reply) => {
  const up = await request(`${base}/api/authorize/session_token`, { dispatcher });
  const token = (await up.body.json()) as { session_token?: unknown };
  if (up.statusCode !== 200) return reply.code(502).send({ code: 'UPSTREAM_ERROR' });
  return reply.code(201).send(sessionAnswer(token));
});

app.post('/liveness', async (req, reply) => {
  const up = await request(`${base}/api/instant/folders/`, {
    method: 'POST',
    dispatcher,
    headers: { 'content-type': 'application/octet-stream' },
    body: req.body as Buffer,
  });
  const folder = (await up.body.json()) as Parameters<typeof reduceFolder>[0];
  if (up.statusCode !== 201) return reply.code(502).send({ code: 'UPSTREAM_ERROR' });
  return reply.code(201).send(reduceFolder(folder, randomUUID()));
});

void app.listen({ port: Number(process.env.PORT ?? 3002), host: '127.0.0.1' });
