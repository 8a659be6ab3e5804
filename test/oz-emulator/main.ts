import { EMULATOR_WARNING, startOzEmulator } from './server';

function integerEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw)) throw new Error(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/** `npm run emulator`: the emulator as a standalone server (docker-compose, demos, frontend work). */
async function main(): Promise<void> {
  const env = process.env;
  process.stderr.write(`WARNING: ${EMULATOR_WARNING}\n`);
  const emulator = await startOzEmulator({
    port: integerEnv('OZ_EMULATOR_PORT', 8080),
    host: env.OZ_EMULATOR_HOST ?? '0.0.0.0',
    accessToken: env.OZ_EMULATOR_ACCESS_TOKEN || undefined,
    tokenTtlSeconds: integerEnv('OZ_EMULATOR_TOKEN_TTL_SECONDS', 900),
    keysDir: env.OZ_EMULATOR_KEYS_DIR || undefined,
    logger: true,
  });
  process.stderr.write(`Oz API Instant emulator listening on ${emulator.url}\n`);
  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    process.stderr.write(`${signal}: closing the Oz emulator\n`);
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`Oz emulator failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
