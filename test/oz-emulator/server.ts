import type { AddressInfo } from 'node:net';
import Fastify, { FastifyError } from 'fastify';
import { registerControlRoutes } from './control-routes';
import { OzHttpError, ozErrorForStatus } from './errors';
import { FaultBoard, FaultPerformer, FaultSpec } from './faults';
import { type AnalysisLoad, LoadMeter } from './load';
import { registerOzHooks, registerOzRoutes } from './oz-routes';
import { RecordedRequest, RequestSpy } from './spy';
import { loadOrCreateKeys, SessionTokenAuthority } from './tokens';

export const EMULATOR_WARNING =
  'This is the Oz API Instant EMULATOR, NOT Oz API Instant: its verdicts are scripted by the test container. ' + 'Never use it for real verification.';

/** Well above the 64 MiB a test may send; the real Oz limit is unknown. */
const BODY_LIMIT = 128 * 1024 * 1024;

export interface OzEmulatorOptions {
  port?: number;
  host?: string;
  /** When set, /api/* calls must send it as X-Forensic-Access-Token (else 401, codes 6/7). */
  accessToken?: string;
  tokenTtlSeconds?: number;
  /** `GET /api/version` (Oz's monitoring guide); false answers it 404, as an Instant that does not offer it would. */
  offersVersion?: boolean;
  /** Directory of the P-384 PEM pair; created there when absent. Without it, a fresh pair per start. */
  keysDir?: string;
  logger?: boolean;
}

export interface OzEmulator {
  /** e.g. http://127.0.0.1:PORT, no trailing slash. */
  url: string;
  close(): Promise<void>;
  requests(): RecordedRequest[];
  clearRequests(): void;
  /** Analysis calls in flight, the most at once, and each call's start and end. */
  load(): AnalysisLoad;
  clearLoad(): void;
  armFault(fault: FaultSpec): void;
  clearFaults(): void;
  /** Mints a session token as the token route would; ttlSeconds -1 gives an already expired one. */
  issueToken(opts?: { ttlSeconds?: number }): Promise<string>;
}

export async function startOzEmulator(options: OzEmulatorOptions = {}): Promise<OzEmulator> {
  const tokens = new SessionTokenAuthority(loadOrCreateKeys(options.keysDir), options.tokenTtlSeconds ?? 900);
  const spy = new RequestSpy();
  const load = new LoadMeter();
  const faults = new FaultBoard();
  const performer = new FaultPerformer();
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: BODY_LIMIT, forceCloseConnections: true });

  // Every body arrives as raw bytes: the spy hashes exactly what was sent, and each route parses its own.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof OzHttpError) return reply.code(error.status).send(error.toBody());
    const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error(error);
    return reply.code(status).send({ ...ozErrorForStatus(status).toBody(), error_message: error.message });
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send(new OzHttpError(404, 10).toBody()));

  registerOzHooks(app, { tokens, spy, load, faults, performer, accessToken: options.accessToken });
  registerOzRoutes(app, { tokens, spy, load, faults, performer, accessToken: options.accessToken, offersVersion: options.offersVersion ?? true });
  registerControlRoutes(app, spy, faults, load);

  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });
  app.log.warn(EMULATOR_WARNING);
  const { port } = app.server.address() as AddressInfo;

  return {
    url: `http://${urlHost(host)}:${port}`,
    async close() {
      performer.closeAll();
      await app.close();
    },
    requests: () => spy.list(),
    clearRequests: () => spy.clear(),
    load: () => load.snapshot(),
    clearLoad: () => load.clear(),
    armFault: (fault) => faults.arm(fault),
    clearFaults: () => faults.clear(),
    issueToken: (opts) => tokens.issue(opts?.ttlSeconds),
  };
}

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
