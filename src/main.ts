import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { configureApp, createFastifyAdapter } from './app.setup';
import { httpConfig, InvalidConfigurationError, validateEnvironment } from './config';

async function bootstrap(): Promise<void> {
  try {
    validateEnvironment(process.env);
  } catch (error) {
    if (!(error instanceof InvalidConfigurationError)) throw error;
    // One line per bad variable, before anything starts (contract §5).
    process.stderr.write(`${error.lines.map((line) => `invalid configuration: ${line}`).join('\n')}\n`);
    process.exit(1);
  }
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(), createFastifyAdapter(), {
    bufferLogs: true,
    abortOnError: false,
    // Body parsing is ours (app.setup.ts): an octet-stream container, a tolerant JSON parser.
    bodyParser: false,
  });
  await configureApp(app);
  await app.listen({ port: app.get(httpConfig.KEY).port, host: '0.0.0.0' });
}

bootstrap().catch((error: unknown) => {
  // e.g. the port is taken: one line for the operator, not a stack of framework frames.
  process.stderr.write(`the service failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
