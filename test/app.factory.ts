import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AppModule } from '../src/app.module';
import { configureApp, createFastifyAdapter } from '../src/app.setup';
import { Clock } from '../src/session/clock';
import { FakeClock } from './fakes/fake-clock';
import { type OzEmulator, startOzEmulator } from './oz-emulator';

export const API_KEY = 'test-internal-key';

export interface TestApp {
  /** Base URL of the service, listening on a real socket. */
  url: string;
  app: NestFastifyApplication;
  clock: FakeClock;
  close(): Promise<void>;
}

/**
 * The real app, wired by the same `configureApp` as main.ts, on port 0. The environment is
 * set for the time of the build (the config namespaces read it then) and restored after.
 */
export async function startApp(env: Record<string, string>): Promise<TestApp> {
  const saved = process.env;
  process.env = { INTERNAL_API_KEYS: API_KEY, LOG_LEVEL: 'silent', ...env };
  const clock = new FakeClock();
  try {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot()] })
      .overrideProvider(Clock)
      .useValue(clock)
      .compile();
    const app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(), { bodyParser: false, bufferLogs: true });
    await configureApp(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address() as { port: number };
    return { url: `http://127.0.0.1:${address.port}`, app, clock, close: () => app.close() };
  } finally {
    process.env = saved;
  }
}

export interface Stack {
  emulator: OzEmulator;
  service: TestApp;
  close(): Promise<void>;
}

/** The emulator and the service wired to it: what nearly every e2e spec needs. */
export async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  const emulator = await startOzEmulator();
  const service = await startApp({ OZ_API_URL: emulator.url, ...env });
  return {
    emulator,
    service,
    close: async () => {
      await service.close();
      await emulator.close();
    },
  };
}
