import multipart from '@fastify/multipart';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { Logger, PinoLogger } from 'nestjs-pino';
import { Admission } from './admission/admission';
import { JSON_BODY_LIMIT } from './admission/body-limits';
import { registerCors } from './admission/cors';
import { RouteInventory } from './admission/route-inventory';
import { noteProblemCode } from './common/answered-problems';
import { clientErrorHandler } from './common/client-errors';
import { toProblem } from './common/problem';
import { sendProblem } from './common/problem.filter';
import { requestIdFrom } from './common/request-id';
import { logRequests } from './common/request-logging';
import { accessConfig, type AccessConfig, type HttpConfig } from './config';
import { Metrics } from './metrics/metrics';
import { recordRequestDurations } from './metrics/request-metrics';
import { OpenApiDocument } from './openapi/openapi-document.provider';
import { Listeners } from './listeners';
import { ServiceLogger } from './startup';
import { traceRoutes } from './tracing/route-spans';

/** How long a client may take to send a request (not to wait for Oz), and how often Node checks. */
export interface RequestTimeouts {
  /** The whole request, body included. */
  requestMs: number;
  /** The request line and headers: a client that trickles them (slowloris) holds a socket for nothing. */
  headersMs: number;
  /** How often Node looks for requests past these deadlines (its default, 30 s, would let them run over by as much). */
  checkEveryMs: number;
}

/**
 * Without a request deadline a client could trickle a container for ever while its bytes sit in
 * memory; 2 minutes still lets a slow mobile link deliver the 20 MiB default at about 1.5 Mbit/s.
 */
export const REQUEST_TIMEOUTS: RequestTimeouts = { requestMs: 120_000, headersMs: 20_000, checkEveryMs: 2_000 };

/**
 * The Fastify adapter of the service: request ids we can trust, no Fastify logger (pino via Nest),
 * its servers built by `listeners` (PORT, and INTERNAL_PORT when set).
 */
export function createFastifyAdapter(
  http: Pick<HttpConfig, 'trustProxy'>,
  timeouts: RequestTimeouts = REQUEST_TIMEOUTS,
  listeners: Listeners = new Listeners({ host: '0.0.0.0', port: 0, internalPort: null }),
): FastifyAdapter {
  const adapter = new FastifyAdapter({
    serverFactory: listeners.serverFactory,
    bodyLimit: JSON_BODY_LIMIT,
    requestIdHeader: false,
    genReqId: (raw: IncomingMessage) => requestIdFrom(raw.headers['x-request-id']),
    logger: false,
    requestTimeout: timeouts.requestMs,
    http: { headersTimeout: timeouts.headersMs, connectionsCheckingInterval: timeouts.checkEveryMs },
    trustProxy: http.trustProxy,
    // Node's refusals before routing (431, a request line it cannot parse, 408) as problem+json.
    clientErrorHandler,
    // Errors Fastify raises before routing (a malformed URL) get our problem+json too.
    // (Our onRequest hook has not run for them, so the request id header is set here.)
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
      void reply.header('x-request-id', request.id);
      const problem = toProblem(error, request.id);
      noteProblemCode(request.raw, problem.body.code);
      sendProblem(reply, problem);
    },
  });
  // The internal listener stops accepting when the main one does, and drains before the shutdown hooks run.
  adapter.getInstance().addHook('preClose', (done) => {
    listeners.stopAccepting();
    done();
  });
  adapter.getInstance().addHook('onClose', (_instance, done) => {
    void listeners.drained().then(() => done());
  });
  return adapter;
}

/** Everything between "the app exists" and "it listens": the same wiring in main.ts and in tests. */
export async function configureApp(app: NestFastifyApplication): Promise<NestFastifyApplication> {
  app.useLogger(new ServiceLogger(app.get(Logger)));
  const fastify = app.getHttpAdapter().getInstance();
  // Before the routes are registered (at init): a route without an admission policy stops the start.
  const inventory = app.get(RouteInventory);
  inventory.watch(fastify);
  logRequests(fastify, (await app.resolve(PinoLogger)).logger);
  recordRequestDurations(fastify, app.get(Metrics));
  traceRoutes(fastify);
  // On SIGTERM: readiness turns 503, requests in flight finish, then exit 0 (not "killed by signal").
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  registerBodyParsers(fastify);
  await app.register(multipart, { throwFileSizeLimit: true });
  await registerCors(fastify, app.get<AccessConfig>(accessConfig.KEY).corsOrigins, inventory);
  // GET /openapi.json documents the application it belongs to.
  app.get(OpenApiDocument).describeApplication(app);
  const admission = app.get(Admission);
  // Synchronous for every route but one: an async hook costs a promise on every request.
  fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
    void reply.header('x-request-id', request.id);
    let pending: Promise<void> | undefined;
    try {
      pending = admission.admit(request, reply);
    } catch (error) {
      return done(error as Error);
    }
    if (pending) pending.then(() => done(), done);
    else done();
  });
  return app;
}

function registerBodyParsers(fastify: FastifyInstance): void {
  // The container is read by the liveness route itself, once it knows the session exists and is
  // the caller's: nothing of a body is buffered for a session that does not (docs/api.md §1).
  fastify.addContentTypeParser('application/octet-stream', (_request, _payload, done) => done(null, undefined));
  // An empty JSON body is allowed (POST /v1/sessions), so Fastify's parser is wrapped.
  const defaultJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: JSON_BODY_LIMIT }, (req, body, done) =>
    body === '' ? done(null, undefined) : defaultJson(req, body as string, done),
  );
  // Other types reach a route only with an empty body (admission refused the rest).
  fastify.removeContentTypeParser('text/plain');
  fastify.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
}
