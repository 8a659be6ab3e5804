import 'reflect-metadata';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../app.module';
import { createFastifyAdapter } from '../app.setup';
import { loadConfiguration } from '../config';
import { buildOpenApiDocument, serializeOpenApiDocument } from './openapi-document';

/**
 * `write <file>` writes the API document of the application to a file; `check <file>` fails when
 * the file differs from it. The application is built but never started (nothing listens or
 * connects). The document depends on no setting, so it is built from a fixed minimal
 * configuration rather than the shell's environment (a REDIS_URL there would change nothing but
 * the chance of failing).
 */
const DOCUMENT_ENVIRONMENT = { OZ_API_URL: 'http://oz.invalid', LOG_LEVEL: 'silent' };

async function generate(): Promise<string> {
  const configuration = loadConfiguration(DOCUMENT_ENVIRONMENT);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(configuration), createFastifyAdapter(configuration.http), {
    logger: false,
    abortOnError: false,
    bodyParser: false,
  });
  try {
    return serializeOpenApiDocument(buildOpenApiDocument(app));
  } finally {
    await app.close();
  }
}

function firstDifferingLine(a: string, b: string): number {
  const [left, right] = [a.split('\n'), b.split('\n')];
  const index = left.findIndex((line, i) => line !== right[i]);
  return (index === -1 ? left.length : index) + 1;
}

async function run(mode: string | undefined, file: string | undefined): Promise<number> {
  if ((mode !== 'write' && mode !== 'check') || !file) {
    process.stderr.write('usage: openapi.cli.js write|check <file>\n');
    return 2;
  }
  const generated = await generate();
  if (mode === 'write') {
    writeFileSync(file, generated);
    return 0;
  }
  const committed = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (committed === generated) return 0;
  process.stderr.write(
    `${file} differs from the document the code generates (first at line ${firstDifferingLine(committed, generated)}): run \`npm run openapi\`.\n`,
  );
  return 1;
}

run(process.argv[2], process.argv[3]).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`the API document could not be generated: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
