import type { RedisFindings } from '../redis/redis-probe';
import { judgeRedis } from './store-checks';

const SOUND: RedisFindings = { version: '7.2.4', maxmemoryPolicy: 'noeviction', aofEnabled: true, rdbSave: '', clusterEnabled: false, writesAndReads: true };
const statusOf = (found: Partial<RedisFindings>, cluster = false) =>
  Object.fromEntries(judgeRedis({ ...SOUND, ...found }, cluster).map((line) => [line.check, line.status]));

describe('judgeRedis (the doctor’s reading of a Redis, docs/api.md §17)', () => {
  it('passes a Redis 7 that refuses to evict, persists with AOF and is as configured', () => {
    expect(statusOf({})).toEqual({
      'redis.version': 'ok',
      'redis.maxmemory-policy': 'ok',
      'redis.persistence': 'ok',
      'redis.mode': 'ok',
      'redis.access': 'ok',
    });
  });

  it.each([
    ['6.2.14', 'fail'],
    ['7.0.15', 'ok'],
    ['8.0.2', 'ok'],
  ])('judges Redis %s %s: the service needs 7 or newer', (version, status) => {
    expect(statusOf({ version })['redis.version']).toBe(status);
  });

  it('warns when the version or the policy cannot be read (a managed Redis forbids INFO or CONFIG)', () => {
    expect(statusOf({ version: null, maxmemoryPolicy: null })).toMatchObject({ 'redis.version': 'warn', 'redis.maxmemory-policy': 'warn' });
  });

  it('fails a Cluster configured as standalone, and the reverse', () => {
    expect(statusOf({ clusterEnabled: true }, false)['redis.mode']).toBe('fail');
    expect(statusOf({ clusterEnabled: false }, true)['redis.mode']).toBe('fail');
    expect(statusOf({ clusterEnabled: true }, true)['redis.mode']).toBe('ok');
  });
});
