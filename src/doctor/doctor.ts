import { type Configuration, InvalidConfigurationError, loadConfiguration } from '../config';
import { type CheckLine, fail, ok, warn } from './check-line';
import { checkOz } from './oz-checks';
import { checkReceipts, checkWebhook } from './signing-checks';
import { checkRedis } from './store-checks';

export interface DoctorOptions {
  /** Send one signed `webhook.test` event to WEBHOOK_URL. */
  webhook: boolean;
}

/**
 * `npm run doctor` (docs/api.md §17): the service's environment checked against the systems it
 * names, before traffic does it — without biometric data, without creating a session's result,
 * writing to Redis only a key it removes. Each check says what to do when it is not ok.
 */
export async function runDoctor(env: NodeJS.ProcessEnv, options: DoctorOptions): Promise<CheckLine[]> {
  let configuration: Configuration;
  try {
    configuration = loadConfiguration(env);
  } catch (error) {
    if (!(error instanceof InvalidConfigurationError)) throw error;
    return error.lines.map((line) => fail('config', line));
  }
  const lines: CheckLine[] = [ok('config', 'every variable is valid'), ...configurationAdvice(configuration)];
  lines.push(...(await checkOz(configuration.oz)));
  lines.push(...(await checkRedis(configuration.redis)));
  lines.push(await checkReceipts(configuration.receipts));
  lines.push(await checkWebhook(configuration.webhooks, options.webhook));
  return lines;
}

/** What a valid configuration may still get wrong. */
function configurationAdvice(configuration: Configuration): CheckLine[] {
  const advice: CheckLine[] = [];
  if (configuration.access.internalApiKeys.length === 0) advice.push(warn('config.api-keys', 'INTERNAL_API_KEYS is unset: every internal route is refused'));
  if (configuration.shutdown.timeoutMs <= configuration.oz.timeoutMs) {
    advice.push(
      warn(
        'config.shutdown',
        'SHUTDOWN_TIMEOUT_MS is not above OZ_TIMEOUT_MS: an analysis in flight at SIGTERM may be cut, and its person asked to capture again',
      ),
    );
  }
  return advice;
}

/** 1 when any check failed, else 0 (warnings pass: they name a risk, not a broken setup). */
export function exitCodeOf(lines: CheckLine[]): number {
  return lines.some((line) => line.status === 'fail') ? 1 : 0;
}
