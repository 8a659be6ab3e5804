import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { processBiometry } from './biometry';
import { invalidRequestData, OzHttpError } from './errors';
import type { LoadMeter } from './load';
import { FaultBoard, FaultPerformer, TerminalFaultKind } from './faults';
import { processContainer } from './liveness';
import { RequestSpy } from './spy';
import { SessionTokenAuthority } from './tokens';

export const TOKEN_PATHS = ['/api/authorize/session_token', '/api/authorize/session_token/'];
export const FOLDER_PATHS = ['/api/instant/folders/', '/api/instant/folders'];

type OzRoute = 'token' | 'folders';

export interface OzRouteDeps {
  tokens: SessionTokenAuthority;
  spy: RequestSpy;
  load: LoadMeter;
  faults: FaultBoard;
  performer: FaultPerformer;
  accessToken?: string;
  offersVersion?: boolean;
}

/** What the emulator says it is on `GET /api/version` (real Oz answers with its build's versions). */
export const EMULATED_VERSION = '6.6.1-emulator';

const receivedAt = new WeakMap<object, Date>();

function ozRouteOf(request: FastifyRequest): OzRoute | undefined {
  return (request.routeOptions.config as { ozRoute?: OzRoute }).ozRoute;
}

function isControlCall(request: FastifyRequest): boolean {
  return request.url.startsWith('/__emulator');
}

/** Spy first (every call that reached Oz is recorded), then armed faults, then the access token. */
export function registerOzHooks(app: FastifyInstance, deps: OzRouteDeps): void {
  app.addHook('onRequest', async (request) => {
    receivedAt.set(request.raw, new Date());
  });
  app.addHook('preHandler', async (request, reply) => {
    if (isControlCall(request)) return;
    deps.spy.record({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: Buffer.isBuffer(request.body) ? request.body : null,
      receivedAt: receivedAt.get(request.raw) ?? new Date(),
    });
    const route = ozRouteOf(request);
    if (route === 'folders') {
      const end = deps.load.begin(Buffer.isBuffer(request.body) ? request.body : null);
      reply.raw.once('close', end);
    }
    const fault = route && deps.faults.take(route);
    if (route && fault) {
      if (fault.kind === 'delay') await deps.performer.delay(fault.delayMs);
      else return perform(deps.performer, reply, fault.kind, route, fault.status, fault.errorCode);
    }
    if (request.url.startsWith('/api/')) checkAccessToken(request, deps.accessToken);
  });
}

function checkAccessToken(request: FastifyRequest, expected: string | undefined): void {
  if (expected === undefined) return;
  const sent = request.headers['x-forensic-access-token'];
  if (sent === undefined) throw new OzHttpError(401, 6);
  if (sent !== expected) throw new OzHttpError(401, 7);
}

function perform(performer: FaultPerformer, reply: FastifyReply, kind: TerminalFaultKind, route: OzRoute, status = 500, errorCode?: number): FastifyReply {
  const success = route === 'token' ? 200 : 201;
  switch (kind) {
    case 'status':
      return performer.status(reply, status, errorCode);
    case 'reset':
      return performer.reset(reply);
    case 'non-json':
      return performer.nonJson(reply, success);
    case 'stall':
      return performer.stall(reply, success);
  }
}

export function registerOzRoutes(app: FastifyInstance, deps: OzRouteDeps): void {
  if (deps.offersVersion) app.get('/api/version', async () => ({ version: EMULATED_VERSION }));
  for (const url of TOKEN_PATHS) {
    app.route({
      method: ['GET', 'POST'],
      url,
      config: { ozRoute: 'token' },
      handler: async () => ({ session_token: await deps.tokens.issue() }),
    });
    app.route({ method: ['PUT', 'PATCH', 'DELETE'], url, handler: methodNotAllowed });
  }
  for (const url of FOLDER_PATHS) {
    app.route({ method: 'POST', url, config: { ozRoute: 'folders' }, handler: (request, reply) => postFolder(deps, request, reply) });
    app.route({ method: ['GET', 'PUT', 'PATCH', 'DELETE'], url, handler: methodNotAllowed });
  }
}

async function methodNotAllowed(): Promise<never> {
  throw new OzHttpError(405, 1);
}

async function postFolder(deps: OzRouteDeps, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const contentType = request.headers['content-type'] ?? '';
  const mediaType = contentType.split(';')[0].trim().toLowerCase();
  if (mediaType === 'multipart/form-data') return reply.code(201).send(await processBiometry(body, contentType));
  // The container must come as raw application/octet-stream; anything else carries no container.
  if (mediaType !== 'application/octet-stream') throw invalidRequestData(13);
  const result = await processContainer(body, deps.tokens);
  if ('fault' in result) return perform(deps.performer, reply, result.fault.kind, 'folders');
  if (result.delayMs !== undefined) await deps.performer.delay(result.delayMs);
  return reply.code(201).send(result.folder);
}
