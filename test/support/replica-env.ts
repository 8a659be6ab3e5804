import { generateKeyPairSync, randomBytes } from 'node:crypto';

/**
 * What every replica of one deployment shares: the Redis, the key that seals best shots and the
 * key that signs receipts (docs/api.md §5: REDIS_URL needs both keys).
 */
export function sharedStateEnv(redisUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return { REDIS_URL: redisUrl, DATA_ENCRYPTION_KEY: DATA_KEY, RECEIPT_SIGNING_KEY: SIGNING_KEY, ...extra };
}

const DATA_KEY = randomBytes(32).toString('base64');
const SIGNING_KEY = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
