import { Logger } from '@nestjs/common';
import { formatLine } from './doctor/check-line';
import { exitCodeOf, runDoctor } from './doctor/doctor';

/**
 * `npm run doctor` / `node dist/doctor.js [--webhook]`: one line per check on stdout, exit code 1
 * when any check failed. The service's own log lines (a Redis client's errors) would only repeat
 * what the checks say, so they are silenced.
 */
async function main(): Promise<void> {
  Logger.overrideLogger(false);
  const lines = await runDoctor(process.env, { webhook: process.argv.includes('--webhook') });
  process.stdout.write(`${lines.map(formatLine).join('\n')}\n`);
  process.exitCode = exitCodeOf(lines);
}

main().catch((error: unknown) => {
  process.stderr.write(`the diagnostics stopped: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
