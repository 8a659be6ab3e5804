import type { RedisConfig } from '../config';
import { probeRedis, type RedisFindings } from '../redis/redis-probe';
import { RedisConnection } from '../redis/redis.connection';
import { type CheckLine, fail, ok, warn } from './check-line';

const MIN_REDIS_MAJOR = 7;

/** Redis as the service's promises need it (docs/api.md §7, §18): reachable, 7+, noeviction, persistent, the configured mode. */
export async function checkRedis(config: RedisConfig): Promise<CheckLine[]> {
  if (config.url === null) return [ok('store', 'REDIS_URL is unset: state lives in this process (one replica only; a restart loses it)')];
  const connection = await new RedisConnection(config).load();
  try {
    await connection.onModuleInit();
    if (!(await connection.ping()))
      return [fail('redis.reachable', 'Redis did not answer a PING within 1 s: check REDIS_URL, its password and the network policy towards Redis')];
    return [ok('redis.reachable', 'Redis answers'), ...judgeRedis(await probeRedis(connection), config.cluster)];
  } catch {
    return [fail('redis.reachable', 'Redis refused the diagnostics’ commands: check REDIS_URL and the rights of its user')];
  } finally {
    await connection.onApplicationShutdown();
  }
}

/** What the findings mean for the service's promises; exported for its spec. */
export function judgeRedis(found: RedisFindings, clusterConfigured: boolean): CheckLine[] {
  return [
    version(found.version),
    eviction(found.maxmemoryPolicy),
    persistence(found),
    mode(found.clusterEnabled, clusterConfigured),
    access(found.writesAndReads),
  ];
}

function version(found: string | null): CheckLine {
  const major = Number(found?.split('.')[0]);
  if (!found || !Number.isFinite(major)) return warn('redis.version', 'the version could not be read');
  return major >= MIN_REDIS_MAJOR
    ? ok('redis.version', `Redis ${found}`)
    : fail('redis.version', `Redis ${found}: the service needs Redis ${MIN_REDIS_MAJOR} or newer (or Valkey)`);
}

function eviction(policy: string | null): CheckLine {
  if (policy === null) return warn('redis.maxmemory-policy', 'CONFIG GET is not allowed here: make sure maxmemory-policy is noeviction');
  if (policy === 'noeviction') return ok('redis.maxmemory-policy', 'noeviction: a full Redis refuses writes (503 STORE_UNAVAILABLE), it never drops a session');
  return fail('redis.maxmemory-policy', `${policy}: Redis may evict sessions, results and pending webhook events silently; set maxmemory-policy noeviction`);
}

function persistence(found: RedisFindings): CheckLine {
  if (found.aofEnabled) return ok('redis.persistence', 'AOF is on: results and pending webhook events survive a restart');
  if (found.rdbSave === null)
    return warn('redis.persistence', 'AOF is off and the RDB rules could not be read: a restart may lose results and pending webhook events');
  if (found.rdbSave.trim() !== '')
    return warn('redis.persistence', `snapshots only (save ${found.rdbSave}): a crash loses what came after the last one; turn on appendonly yes`);
  return warn('redis.persistence', 'Redis does not persist: a restart loses every session and pending webhook event; turn on appendonly yes');
}

function mode(enabled: boolean, configured: boolean): CheckLine {
  if (enabled === configured)
    return ok('redis.mode', enabled ? 'a Redis Cluster, as REDIS_CLUSTER=true says' : 'a standalone Redis, as REDIS_CLUSTER=false says');
  return fail('redis.mode', enabled ? 'this Redis is a Cluster: set REDIS_CLUSTER=true' : 'this Redis is not a Cluster: set REDIS_CLUSTER=false');
}

function access(writesAndReads: boolean): CheckLine {
  return writesAndReads
    ? ok('redis.access', 'a key was written under REDIS_KEY_PREFIX, read back and removed')
    : fail('redis.access', 'a key under REDIS_KEY_PREFIX could not be written and read back: check the user’s rights and maxmemory');
}
