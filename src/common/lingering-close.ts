import type { IncomingMessage } from 'node:http';

/** How long the rest of a refused upload is read (and dropped) before the socket is cut. */
const LINGER_MS = 2_000;

/**
 * A refusal sent before the request's body was read closes the connection (`Connection: close`)
 * rather than read up to 20 MiB for nothing to keep it alive. Node would then destroy the socket
 * right after writing the answer, while the client is still sending: the client's kernel gets a
 * reset and may drop the answer before the client read it. So the close lingers: our side ends
 * (FIN after the answer) and stops reading, so that the client's further bytes wait in the
 * kernel's buffers (nothing is parsed, allocated or kept), and the socket goes when the client
 * closes or after LINGER_MS at the latest, by which time the answer has long been read.
 */
export function lingerOnClose(request: IncomingMessage): void {
  const socket = request.socket as IncomingMessage['socket'] & { destroySoon?: () => void };
  if (typeof socket.destroySoon !== 'function') return;
  socket.destroySoon = () => {
    socket.end();
    socket.pause();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
}
