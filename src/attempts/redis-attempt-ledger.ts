import { createHash } from 'node:crypto';
import { storeUnavailable } from '../common/store-unavailable';
import type { RedisClient } from '../redis/redis.connection';
import { AttemptLedger, type AttemptRule, type AttemptTally, type RecordedFailure } from './attempt-ledger';

/**
 * Sliding-window log in one sorted set per subject: members are failure ids, scores their
 * instants (ms). Each script first drops what left the window, so every answer counts only the
 * window; PEXPIRE of one window after the latest failure lets Redis forget the whole subject on
 * its own. Redis runs a script alone: two replicas recording at once both count, and only the
 * one that reaches the limit sees the lock begin.
 * ARGV: at/now (ms), windowMs, limit. Returns {failures, lockedUntil (ms, or -1), becameLocked}.
 */
const TALLY = `
local function tally(key, now, window, limit)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local failures = redis.call('ZCARD', key)
  local lockedUntil = -1
  if limit > 0 and failures >= limit then
    local holder = redis.call('ZRANGE', key, failures - limit, failures - limit, 'WITHSCORES')
    lockedUntil = tonumber(holder[2]) + window
  end
  return failures, lockedUntil
end
`;

/** ARGV: at, windowMs, limit, failureId. ZADD NX: a failure recorded again keeps its first instant and counts once. */
const RECORD = `${TALLY}
local key, at, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local before = tally(key, at, window, limit)
redis.call('ZADD', key, 'NX', at, ARGV[4])
redis.call('PEXPIRE', key, window)
local failures, lockedUntil = tally(key, at, window, limit)
local became = 0
if limit > 0 and before < limit and failures >= limit then became = 1 end
return {failures, lockedUntil, became}
`;

const READ = `${TALLY}
local failures, lockedUntil = tally(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))
return {failures, lockedUntil, 0}
`;

interface AttemptScripts {
  attemptsRecord(key: string, at: string, windowMs: string, limit: string, failureId: string): Promise<[number, number, number]>;
  attemptsRead(key: string, now: string, windowMs: string, limit: string): Promise<[number, number, number]>;
}

/**
 * The ledger shared by every replica (docs/api.md §14). Keys are `<prefix>attempts:{<SHA-256 of
 * the subject id>}`: a person's reference never appears in a key name, and the hash tag keeps
 * each subject in one Cluster slot. Every Redis failure is STORE_UNAVAILABLE.
 */
export class RedisAttemptLedger extends AttemptLedger {
  constructor(
    private readonly rule: AttemptRule,
    private readonly client: RedisClient,
    private readonly keyPrefix: string,
  ) {
    super();
    client.defineCommand('attemptsRecord', { numberOfKeys: 1, lua: RECORD });
    client.defineCommand('attemptsRead', { numberOfKeys: 1, lua: READ });
  }

  async recordFailure(subjectId: string, failureId: string, at: Date): Promise<RecordedFailure> {
    const reply = await this.run((redis) => redis.attemptsRecord(this.key(subjectId), String(at.getTime()), ...this.ruleArgs(), failureId));
    return { ...tallyOf(reply), becameLocked: reply[2] === 1 };
  }

  async tally(subjectId: string, now: Date): Promise<AttemptTally> {
    return tallyOf(await this.run((redis) => redis.attemptsRead(this.key(subjectId), String(now.getTime()), ...this.ruleArgs())));
  }

  async forget(subjectId: string): Promise<void> {
    await this.run((redis) => redis.del(this.key(subjectId)));
  }

  private key(subjectId: string): string {
    return `${this.keyPrefix}attempts:{${createHash('sha256').update(subjectId).digest('hex')}}`;
  }

  private ruleArgs(): [string, string] {
    return [String(this.rule.windowMs), String(this.rule.limit)];
  }

  private async run<T>(command: (redis: AttemptScripts & RedisClient) => Promise<T>): Promise<T> {
    try {
      return await command(this.client as AttemptScripts & RedisClient);
    } catch {
      throw storeUnavailable();
    }
  }
}

function tallyOf([failures, lockedUntil]: [number, number, number]): AttemptTally {
  return { failures, lockedUntil: lockedUntil < 0 ? null : new Date(lockedUntil) };
}
