import './tracing/start';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { configureApp, createFastifyAdapter } from './app.setup';
import { type Configuration, InvalidConfigurationError, loadConfiguration } from './config';
import { armShutdownDeadline } from './health/shutdown-deadline';
import { Listeners } from './listeners';

function configurationOrExit(): Configuration {
  try {
    return loadConfiguration(process.env);
  } catch (error) {
    if (!(error instanceof InvalidConfigurationError)) throw error;
    // One line per bad variable, before anything starts (docs/api.md §5).
    process.stderr.write(`${error.lines.map((line) => `invalid configuration: ${line}`).join('\n')}\n`);
    process.exit(1);
  }
}

async function bootstrap(): Promise<void> {
  const configuration = configurationOrExit();
  const listeners = new Listeners(configuration.http);
  const adapter = createFastifyAdapter(configuration.http, undefined, listeners);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(configuration), adapter, {
    bufferLogs: true,
    abortOnError: false,
    // Body parsing is ours (app.setup.ts): the container is read by its route, a tolerant JSON parser.
    bodyParser: false,
  });
  await configureApp(app);
  armShutdownDeadline(configuration.shutdown.timeoutMs);
  // PORT and, when set, INTERNAL_PORT, both at HOST (docs/api.md §16).
  await listeners.listen(app);
}

bootstrap().catch((error: unknown) => {
  // e.g. the port is taken: one line for the operator, not a stack of framework frames.
  process.stderr.write(`the service failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
