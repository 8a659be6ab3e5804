import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import { invalidRequestData, OzHttpError, ozErrorForStatus } from './errors';

export type FaultKind = 'delay' | 'status' | 'reset' | 'non-json' | 'stall';
/** Faults that end the call (a delay only postpones the normal answer). */
export type TerminalFaultKind = Exclude<FaultKind, 'delay'>;
export type FaultRoute = 'token' | 'folders' | 'any';

export interface FaultSpec {
  kind: FaultKind;
  /** How many of the next matching calls it hits; default 1. */
  count?: number;
  delayMs?: number;
  /** For 'status'; default 500. The body is an Oz error body with a code fitting the status. */
  status?: number;
  /** For 'status': the Oz `error_code` of the body instead of the one fitting the status (e.g. 400 with 13). */
  errorCode?: number;
  route?: FaultRoute;
}

const KINDS: readonly string[] = ['delay', 'status', 'reset', 'non-json', 'stall'];
const ROUTES: readonly string[] = ['token', 'folders', 'any'];

/** Throws an Error naming the first problem; returns the spec with defaults filled in. */
export type ArmedFault = Required<Omit<FaultSpec, 'errorCode'>> & { errorCode?: number };

export function validateFaultSpec(input: unknown): ArmedFault {
  if (typeof input !== 'object' || input === null) throw new Error('fault must be a JSON object');
  const spec = input as Record<string, unknown>;
  const { kind, count = 1, delayMs = 0, status = 500, route = 'any', errorCode } = spec;
  if (typeof kind !== 'string' || !KINDS.includes(kind)) throw new Error(`kind must be one of ${KINDS.join(', ')}`);
  if (!Number.isInteger(count) || (count as number) < 1) throw new Error('count must be an integer >= 1');
  if (typeof delayMs !== 'number' || !(delayMs >= 0)) throw new Error('delayMs must be a number >= 0');
  if (!Number.isInteger(status) || (status as number) < 100 || (status as number) > 599) {
    throw new Error('status must be an HTTP status code');
  }
  if (typeof route !== 'string' || !ROUTES.includes(route)) throw new Error(`route must be one of ${ROUTES.join(', ')}`);
  if (errorCode !== undefined && !Number.isInteger(errorCode)) throw new Error('errorCode must be an integer');
  const armed: ArmedFault = { kind: kind as FaultKind, count: count as number, delayMs, status: status as number, route: route as FaultRoute };
  if (errorCode !== undefined) armed.errorCode = errorCode as number;
  return armed;
}

/** Armed faults, consumed in arming order by the calls they match. */
export class FaultBoard {
  private armed: ArmedFault[] = [];

  arm(spec: FaultSpec): void {
    this.armed.push(validateFaultSpec(spec));
  }

  clear(): void {
    this.armed = [];
  }

  list(): ArmedFault[] {
    return this.armed.map((spec) => ({ ...spec }));
  }

  take(route: 'token' | 'folders'): ArmedFault | undefined {
    const index = this.armed.findIndex((spec) => spec.route === 'any' || spec.route === route);
    if (index < 0) return undefined;
    const spec = this.armed[index];
    if (--spec.count === 0) this.armed.splice(index, 1);
    return { ...spec, count: 1 };
  }
}

/**
 * Carries faults out on a reply. Keeps what it left hanging (delays, stalled bodies) so that
 * close() can end them and the emulator never keeps a test process alive.
 */
export class FaultPerformer {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly stalled = new Set<ServerResponse>();

  delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  status(reply: FastifyReply, status: number, errorCode?: number): FastifyReply {
    const armed = errorCode === undefined ? ozErrorForStatus(status) : new OzHttpError(status, errorCode);
    // Oz words every 400 the same way, container errors included.
    const error = status === 400 ? invalidRequestData(armed.code) : armed;
    return reply.code(status).header('content-type', 'application/json').send(error.toBody());
  }

  reset(reply: FastifyReply): FastifyReply {
    reply.hijack();
    const socket = reply.raw.socket;
    if (socket && typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
    else socket?.destroy();
    return reply;
  }

  /** A success status whose body claims to be JSON and is not (an HTML error page from a proxy). */
  nonJson(reply: FastifyReply, status: number): FastifyReply {
    return reply
      .code(status)
      .header('content-type', 'application/json')
      .send('<!DOCTYPE html><html><body><h1>Oz emulator: this body is not JSON</h1></body></html>');
  }

  stall(reply: FastifyReply, status: number): FastifyReply {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(status, { 'content-type': 'application/json' });
    raw.write(`{"folder_id":"${randomUUID()}","resolution_status":"FIN`);
    this.stalled.add(raw);
    raw.on('close', () => this.stalled.delete(raw));
    return reply;
  }

  closeAll(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const raw of this.stalled) raw.destroy();
    this.stalled.clear();
  }
}
