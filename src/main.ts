import './tracing/start';
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { configureApp, createFastifyAdapter } from './app.setup';
import { type Configuration, InvalidConfigurationError, loadConfiguration, tracingSettings } from './config';
import { armShutdownDeadline } from './health/shutdown-deadline';
import { Listeners } from './listeners';
import { MetricsServer } from './metrics/metrics.server';
import { busyPortVariable, startupLine } from './startup';

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
  try {
    await configureApp(app);
    armShutdownDeadline(configuration.shutdown.timeoutMs);
    // PORT and, when set, INTERNAL_PORT, both at HOST (docs/api.md §16).
    await listeners.listen(app);
  } catch (error) {
    const busy = busyPortVariable(error, configuration);
    if (!busy) throw error;
    // A port another process holds: one line naming the variable to change, nothing that says it started (§17).
    // A failure inside Nest's start leaves its logs buffered: out with them first.
    app.flushLogs();
    new Logger('Startup').error(
      { variable: busy.variable, port: busy.port },
      `${busy.variable} ${busy.port} is already in use: free it or set ${busy.variable} to another port`,
    );
    process.exit(1);
  }
  const port = (app.getHttpServer().address() as AddressInfo).port;
  const bound = { port, internalPort: listeners.internalPort, metricsPort: app.get(MetricsServer).port };
  new Logger('Startup').log(startupLine(configuration, bound, tracingSettings(process.env).enabled), 'listening');
}

bootstrap().catch((error: unknown) => {
  // One line for the operator, not a stack of framework frames.
  process.stderr.write(`the service failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
