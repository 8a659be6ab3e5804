import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AppModule } from '../src/app.module';
import { configureApp, createFastifyAdapter, REQUEST_TIMEOUTS, type RequestTimeouts } from '../src/app.setup';
import { loadConfiguration } from '../src/config';
import { Listeners } from '../src/listeners';
import { Clock } from '../src/session/clock';
import { FakeClock } from './fakes/fake-clock';
import { type OzEmulator, startOzEmulator } from './oz-emulator';

export const API_KEY = 'test-internal-key';

export interface TestApp {
  /** Base URL of the service, listening on a real socket. */
  url: string;
  /** Base URL of the internal listener when INTERNAL_PORT is set (any value: the test app takes a free port), else null. */
  internalUrl: string | null;
  app: NestFastifyApplication;
  clock: FakeClock;
  close(): Promise<void>;
}

/**
 * What every test app runs with unless its test says otherwise: metrics on a port of the
 * system's choice, and no rate limits (suites create hundreds of sessions from one address;
 * the limits have their own tests).
 */
export const TEST_DEFAULTS = {
  INTERNAL_API_KEYS: API_KEY,
  LOG_LEVEL: 'silent',
  METRICS_PORT: '0',
  RATE_LIMIT_SESSIONS_PER_MINUTE: '0',
  RATE_LIMIT_SUBJECT_SESSIONS_PER_HOUR: '0',
};

/**
 * The real app, wired by the same `configureApp` as main.ts, on port 0, from this environment
 * (validated as main.ts validates it).
 */
export interface TestAppOptions {
  /** Shorter request deadlines, so that a test can watch them cut a slow client. */
  timeouts?: RequestTimeouts;
  /** Providers to replace, e.g. a smaller in-memory store. */
  providers?: { provide: unknown; useValue: unknown }[];
}

export async function startApp(env: Record<string, string>, options: TestAppOptions = {}): Promise<TestApp> {
  const configuration = loadConfiguration({ ...TEST_DEFAULTS, ...env });
  const clock = new FakeClock();
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(configuration)] })
    .overrideProvider(Clock)
    .useValue(clock);
  for (const { provide, useValue } of options.providers ?? []) builder = builder.overrideProvider(provide).useValue(useValue);
  const moduleRef = await builder.compile();
  const listeners = new Listeners(configuration.http);
  const adapter = createFastifyAdapter(configuration.http, options.timeouts ?? REQUEST_TIMEOUTS, listeners);
  const app = moduleRef.createNestApplication<NestFastifyApplication>(adapter, { bodyParser: false, bufferLogs: true });
  await configureApp(app);
  await listeners.listen(app, { port: 0, internalPort: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  const internalUrl = listeners.internalPort === null ? null : `http://127.0.0.1:${listeners.internalPort}`;
  return { url: `http://127.0.0.1:${address.port}`, internalUrl, app, clock, close: () => app.close() };
}

export interface Stack {
  emulator: OzEmulator;
  service: TestApp;
  close(): Promise<void>;
}

/** The emulator and the service wired to it: what nearly every e2e spec needs. */
export async function startStack(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<Stack> {
  const emulator = await startOzEmulator();
  const service = await startApp({ OZ_API_URL: emulator.url, ...env }, options);
  return {
    emulator,
    service,
    close: async () => {
      await service.close();
      await emulator.close();
    },
  };
}
