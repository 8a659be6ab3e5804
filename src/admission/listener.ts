import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import type { RoutePolicy } from './route-policy';

/** Connections accepted by the INTERNAL_PORT listener; the rest came in on PORT. */
const internalSockets = new WeakSet<Socket>();

/** Marks every connection `server` accepts as one of the internal listener (docs/api.md §16). */
export function markInternalListener(server: Server): void {
  server.on('connection', (socket: Socket) => internalSockets.add(socket));
}

/**
 * Whether a route is served on the listener the request came in on. With INTERNAL_PORT set,
 * internal routes live there only, public ones (the JWKS and the API document included) on PORT
 * only, and the probes on both; unset, PORT serves everything as in v1.1. Decided by the
 * connection rather than by a port number, so that port 0 (the system's choice) works as well.
 */
export function servedHere(audience: RoutePolicy['audience'], request: IncomingMessage, separated: boolean): boolean {
  if (!separated || audience === 'probe') return true;
  return internalSockets.has(request.socket) === (audience === 'internal');
}
