import { randomUUID } from 'node:crypto';
import type { RedisClient, RedisConnection } from './redis.connection';

/** What the diagnostics learn of the Redis in REDIS_URL (docs/api.md §17). */
export interface RedisFindings {
  version: string | null;
  /** null when CONFIG GET is not allowed (managed Redis often forbids it). */
  maxmemoryPolicy: string | null;
  aofEnabled: boolean;
  /** The RDB `save` rules ('' = none), or null when CONFIG GET is not allowed. */
  rdbSave: string | null;
  clusterEnabled: boolean;
  /** A key of its own written, read back and removed. */
  writesAndReads: boolean;
}

/**
 * Asks Redis what the service's promises depend on. It writes one key under REDIS_KEY_PREFIX and
 * removes it; nothing else. Throws when Redis does not answer at all.
 */
export async function probeRedis(connection: RedisConnection): Promise<RedisFindings> {
  const client = connection.client;
  const server = fields(await info(client, 'server'));
  const persistence = fields(await info(client, 'persistence'));
  const cluster = fields(await info(client, 'cluster'));
  return {
    version: server.redis_version ?? server.valkey_version ?? null,
    maxmemoryPolicy: await configValue(client, 'maxmemory-policy'),
    aofEnabled: persistence.aof_enabled === '1',
    rdbSave: await configValue(client, 'save'),
    clusterEnabled: cluster.cluster_enabled === '1',
    writesAndReads: await writesAndReads(client, `${connection.keyPrefix}{doctor}:${randomUUID()}`),
  };
}

async function info(client: RedisClient, section: string): Promise<string> {
  // A Cluster answers INFO from one node: enough for version and settings that all nodes share.
  return client.info(section);
}

function fields(text: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) found[line.slice(0, colon)] = line.slice(colon + 1).trim();
  }
  return found;
}

async function configValue(client: RedisClient, name: string): Promise<string | null> {
  try {
    const reply = (await client.config('GET', name)) as string[];
    return reply.length >= 2 ? reply[1] : null;
  } catch {
    return null;
  }
}

async function writesAndReads(client: RedisClient, key: string): Promise<boolean> {
  const value = randomUUID();
  try {
    await client.set(key, value, 'PX', 10_000);
    return (await client.get(key)) === value;
  } catch {
    return false;
  } finally {
    await client.del(key).catch(() => undefined);
  }
}
