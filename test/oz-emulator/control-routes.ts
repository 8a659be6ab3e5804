import type { FastifyInstance } from 'fastify';
import { FaultBoard, FaultSpec } from './faults';
import type { LoadMeter } from './load';
import { RequestSpy } from './spy';

/** Emulator-only routes under /__emulator: never part of the Oz contract, never recorded by the spy. */
export function registerControlRoutes(app: FastifyInstance, spy: RequestSpy, faults: FaultBoard, load: LoadMeter): void {
  app.get('/__emulator/health', async () => ({ status: 'ok', emulator: 'oz-api-instant-emulator', real_oz: false }));

  app.get('/__emulator/requests', async () => spy.list());
  app.delete('/__emulator/requests', async (_request, reply) => {
    spy.clear();
    return reply.code(204).send();
  });

  app.get('/__emulator/load', async () => load.snapshot());
  app.delete('/__emulator/load', async (_request, reply) => {
    load.clear();
    return reply.code(204).send();
  });

  app.get('/__emulator/faults', async () => faults.list());
  app.post('/__emulator/faults', async (request, reply) => {
    try {
      const text = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '';
      faults.arm(JSON.parse(text) as FaultSpec);
    } catch (error) {
      return reply.code(400).send({ error: `invalid fault: ${(error as Error).message}` });
    }
    return reply.code(201).send(faults.list());
  });
  app.delete('/__emulator/faults', async (_request, reply) => {
    faults.clear();
    return reply.code(204).send();
  });
}
