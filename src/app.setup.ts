import multipart from '@fastify/multipart';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { Logger, PinoLogger } from 'nestjs-pino';
import { ApiKeyVerifier } from './common/api-key.verifier';
import { toProblem } from './common/problem';
import { sendProblem } from './common/problem.filter';
import { requestIdFrom } from './common/request-id';
import { logRequests } from './common/request-logging';
import { policyEnforcer } from './common/route-policy.enforcer';
import { httpConfig, type HttpConfig, limitsConfig, type LimitsConfig } from './config';
import { readContainerBody } from './liveness/container-body';
import { OzApiGateway } from './oz-api/oz-api.gateway';
import { saturatedProblem } from './oz-api/oz-problem.map';

/** Small JSON bodies only: the one JSON route takes `{"subjectId": ...}`. */
const JSON_BODY_LIMIT = 16 * 1024;
/**
 * The time a client has to send a whole request (not to wait for Oz). Without it a client could
 * trickle a container for ever while its bytes sit in memory; 2 minutes still lets a slow
 * mobile link deliver the 20 MiB default limit at about 1.5 Mbit/s.
 */
const REQUEST_TIMEOUT_MS = 120_000;

/** The Fastify adapter of the service: request ids we can trust, no Fastify logger (pino via Nest). */
export function createFastifyAdapter(): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: JSON_BODY_LIMIT,
    requestIdHeader: false,
    genReqId: (raw: IncomingMessage) => requestIdFrom(raw.headers['x-request-id']),
    logger: false,
    requestTimeout: REQUEST_TIMEOUT_MS,
    // Errors Fastify raises before routing (a malformed URL) get our problem+json too.
    // (Our onRequest hook has not run for them, so the request id header is set here.)
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
      void reply.header('x-request-id', request.id);
      sendProblem(reply, toProblem(error, request.id));
    },
  });
}

/** Everything between "the app exists" and "it listens": the same wiring in main.ts and in tests. */
export async function configureApp(app: NestFastifyApplication): Promise<NestFastifyApplication> {
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  logRequests(fastify, (await app.resolve(PinoLogger)).logger);
  // On SIGTERM: readiness turns 503, requests in flight finish, then exit 0 (not "killed by signal").
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  const limits = app.get<LimitsConfig>(limitsConfig.KEY);
  const http = app.get<HttpConfig>(httpConfig.KEY);
  registerBodyParsers(fastify, limits);
  await app.register(multipart as never, { throwFileSizeLimit: true });
  if (http.corsOrigins.length > 0) {
    app.enableCors({
      origin: http.corsOrigins,
      methods: ['GET', 'POST'],
      allowedHeaders: ['content-type', 'authorization', 'x-request-id'],
      exposedHeaders: ['x-request-id', 'retry-after', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'],
    });
  }
  const gateway = app.get(OzApiGateway);
  const refuseAnalysis = () => (gateway.hasAnalysisCapacity() ? null : saturatedProblem({ closeConnection: true }));
  const enforcePolicy = policyEnforcer(app.get(ApiKeyVerifier), refuseAnalysis);
  // Synchronous on purpose: this runs on every request, and an async hook costs a promise each time.
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    void reply.header('x-request-id', request.id);
    try {
      enforcePolicy(request);
    } catch (error) {
      return done(error as Error);
    }
    done();
  });
  return app;
}

function registerBodyParsers(fastify: FastifyInstance, limits: LimitsConfig): void {
  // The container is forwarded as one Buffer: Oz needs the whole body and its length anyway.
  fastify.addContentTypeParser('application/octet-stream', (request, payload, done) => {
    readContainerBody(payload, request.headers['content-length'], limits.maxContainerBytes).then(
      // An empty body is no body: the liveness route answers CONTAINER_MISSING, sessions take it.
      (body) => done(null, body.bytes.length === 0 ? undefined : body),
      (error: Error) => done(error, undefined),
    );
  });
  // An empty JSON body is allowed (POST /v1/sessions), so Fastify's parser is wrapped.
  const defaultJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: JSON_BODY_LIMIT }, (req, body, done) =>
    body === '' ? done(null, undefined) : defaultJson(req, body as string, done),
  );
  // Other types reach a route only with an empty body (the route policy refused the rest).
  fastify.removeContentTypeParser('text/plain');
  fastify.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
}
