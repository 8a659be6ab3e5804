import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { markInternalListener, servedHere } from './listener';

/** Two real servers, the second marked internal; resolves the request each received. */
async function requestsOn(): Promise<{ public: IncomingMessage; internal: IncomingMessage; close(): void }> {
  const received: IncomingMessage[] = [];
  const servers: Server[] = [0, 1].map(() =>
    createServer((request, response) => {
      received.push(request);
      response.end();
    }),
  );
  markInternalListener(servers[1]);
  for (const server of servers) server.listen(0, '127.0.0.1');
  await Promise.all(servers.map((server) => once(server, 'listening')));
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await fetch(`http://127.0.0.1:${ports[0]}/`);
  const publicRequest = received[0];
  await fetch(`http://127.0.0.1:${ports[1]}/`);
  return {
    public: publicRequest,
    internal: received[1],
    close: () => servers.forEach((server) => (server.closeAllConnections(), server.close())),
  };
}

describe('servedHere', () => {
  it('serves every audience on either listener when INTERNAL_PORT is unset', async () => {
    const requests = await requestsOn();
    const served = (['public', 'internal', 'probe'] as const).flatMap((audience) =>
      [requests.public, requests.internal].map((request) => servedHere(audience, request, false)),
    );
    requests.close();

    expect(served).toEqual(Array(6).fill(true));
  });

  it('serves internal routes on the internal listener only, public ones on PORT only, probes on both', async () => {
    const requests = await requestsOn();
    const table = Object.fromEntries(
      (['public', 'internal', 'probe'] as const).map((audience) => [
        audience,
        { onPort: servedHere(audience, requests.public, true), onInternalPort: servedHere(audience, requests.internal, true) },
      ]),
    );
    requests.close();

    expect(table).toEqual({
      public: { onPort: true, onInternalPort: false },
      internal: { onPort: false, onInternalPort: true },
      probe: { onPort: true, onInternalPort: true },
    });
  });
});
