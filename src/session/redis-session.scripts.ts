/**
 * Every change of a session is one of these scripts: Redis runs a script alone, so that two
 * replicas claiming one session at once cannot both win. KEYS[1] is the session hash, KEYS[2]
 * its best shot (KEYS[3], for COMPLETE, a best shot staged for it); all carry the session's hash
 * tag, so that a Cluster keeps them in one slot.
 * Times are the caller's `now` (ARGV, milliseconds): Redis TTLs follow real time and only make
 * Redis forget on its own, the rules follow the caller's clock.
 */

/** A session past its purgeAt is deleted at once, so that a later read with an earlier clock cannot bring it back. */
const PRELUDE = `
local session, bestShot = KEYS[1], KEYS[2]
local function purged(now)
  local purgeAt = redis.call('HGET', session, 'purgeAt')
  if not purgeAt then return true end
  if now >= tonumber(purgeAt) then
    redis.call('DEL', session, bestShot)
    return true
  end
  return false
end
local function claimedBy(claimId)
  local f = redis.call('HMGET', session, 'status', 'claimId')
  return f[1] == 'processing' and f[2] == claimId
end
`;

/** ARGV: purgeAt, then the hash's field/value pairs. Never overwrites: 0 when the key exists. */
const CREATE = `
if redis.call('EXISTS', session) == 1 then return 0 end
redis.call('HSET', session, unpack(ARGV, 2))
redis.call('PEXPIREAT', session, ARGV[1])
return 1
`;

/** ARGV: now. The hash's field/value pairs, or nil when unknown or purged. */
const READ = `
if purged(tonumber(ARGV[1])) then return false end
return redis.call('HGETALL', session)
`;

/**
 * ARGV: now, containerSha256, claimId, leaseUntil. In the port's precedence: not-found,
 * expired (not yet completed or failed, past expiresAt), in-progress (a live lease, with its
 * until), claimed (with the captureMayBeUsed mark), then replay (with the hash) or already-used.
 * A lease at or past its until is released, and its call may have reached Oz: the mark is set.
 */
const CLAIM = `
local now = tonumber(ARGV[1])
if purged(now) then return {'not-found'} end
local f = redis.call('HMGET', session, 'status', 'expiresAt', 'leaseUntil', 'containerSha256', 'captureMayBeUsed')
local status, lapsed = f[1], false
if status == 'processing' and now >= (tonumber(f[3]) or 0) then status, lapsed = 'open', true end
if status == 'open' or status == 'processing' then
  if now >= tonumber(f[2]) then return {'expired'} end
  if status == 'processing' then return {'in-progress', f[3]} end
  local mark = f[5] or '0'
  if lapsed then mark = '1' end
  redis.call('HSET', session, 'status', 'processing', 'containerSha256', ARGV[2], 'claimId', ARGV[3], 'leaseUntil', ARGV[4], 'captureMayBeUsed', mark)
  return {'claimed', mark}
end
if f[4] == ARGV[2] then return {'replay', redis.call('HGETALL', session)} end
return {'already-used'}
`;

/**
 * ARGV: claimId, captureMayBeUsed ('1' sets the mark, '0' keeps it as it is). Processing → open
 * when the claim is still this one's; a missing key is never recreated.
 */
const RELEASE = `
if not claimedBy(ARGV[1]) then return 0 end
redis.call('HSET', session, 'status', 'open')
if ARGV[2] == '1' then redis.call('HSET', session, 'captureMayBeUsed', '1') end
redis.call('HDEL', session, 'claimId', 'leaseUntil', 'containerSha256')
return 1
`;

/**
 * KEYS[3]: the sealed best shot, SET by the same client just before in one pipeline (so that
 * its 200 KB never pass through Lua: copied into a Lua string and out again, they doubled the
 * time of a completion and Redis' CPU for it). ARGV: claimId, result, heldUntil ('' when Oz
 * returned no best shot). The staged key becomes the best shot, expiring at heldUntil, or with
 * its session when that comes first. 0 when the claim is lost (the staged key is deleted);
 * -1, changing nothing, when a best shot was returned but its staged key is gone (a SET that
 * failed never gets here: the pipeline's error comes first; but a key evicted or flushed in
 * between does), so that no session is ever completed as holding a best shot it does not have.
 */
const COMPLETE = `
local staged = KEYS[3]
if not claimedBy(ARGV[1]) then
  redis.call('DEL', staged)
  return 0
end
if ARGV[3] ~= '' and redis.call('EXISTS', staged) == 0 then return -1 end
redis.call('HDEL', session, 'claimId', 'leaseUntil')
if ARGV[3] == '' then
  redis.call('HSET', session, 'status', 'completed', 'result', ARGV[2], 'bestShotReturned', '0')
  return 1
end
redis.call('HSET', session, 'status', 'completed', 'result', ARGV[2], 'bestShotReturned', '1', 'bestShotHeldUntil', ARGV[3])
local expireAt = ARGV[3]
local purgeAt = redis.call('HGET', session, 'purgeAt')
if tonumber(purgeAt) < tonumber(expireAt) then expireAt = purgeAt end
redis.call('RENAME', staged, bestShot)
redis.call('PEXPIREAT', bestShot, expireAt)
return 1
`;

/** ARGV: claimId, failure. Processing → failed for good when the claim is still this one's. */
const FAIL = `
if not claimedBy(ARGV[1]) then return 0 end
redis.call('HDEL', session, 'claimId', 'leaseUntil')
redis.call('HSET', session, 'status', 'failed', 'failure', ARGV[2])
return 1
`;

/** ARGV: now, result. Replaces the result of a completed session only. */
const RECORD_BIOMETRY = `
if purged(tonumber(ARGV[1])) then return 0 end
if redis.call('HGET', session, 'status') ~= 'completed' then return 0 end
redis.call('HSET', session, 'result', ARGV[2])
return 1
`;

/**
 * ARGV: now. The best shot's state; a best shot past its hold is deleted, so no earlier clock
 * brings it back. The bytes of a held one come from a GET in the same MULTI, not through Lua.
 */
const BEST_SHOT_STATE = `
local now = tonumber(ARGV[1])
if purged(now) then return 'session-not-found' end
local f = redis.call('HMGET', session, 'bestShotReturned', 'bestShotHeldUntil')
if f[1] ~= '1' then return 'none' end
if now >= tonumber(f[2]) then
  redis.call('DEL', bestShot)
  return 'expired'
end
return 'held'
`;

export const script = (body: string, numberOfKeys = 2) => ({ numberOfKeys, lua: PRELUDE + body });

/** The names they get on the shared client (ioredis `defineCommand`); prefixed, since other modules define theirs there too. */
export const SESSION_SCRIPTS = {
  sessionCreate: script(CREATE),
  sessionRead: script(READ),
  sessionClaim: script(CLAIM),
  sessionRelease: script(RELEASE),
  sessionComplete: script(COMPLETE, 3),
  sessionFail: script(FAIL),
  sessionRecordBiometry: script(RECORD_BIOMETRY),
  sessionBestShotState: script(BEST_SHOT_STATE),
} as const;

type Keys = [session: string, bestShot: string];
type Arg = string | Buffer;

/** The client once the scripts are defined on it. */
export interface SessionScripts {
  sessionCreate(...args: [...Keys, ...Arg[]]): Promise<number>;
  sessionRead(...args: [...Keys, now: string]): Promise<string[] | null>;
  sessionClaim(...args: [...Keys, now: string, containerSha256: string, claimId: string, leaseUntil: string]): Promise<[string, (string[] | string)?]>;
  sessionRelease(...args: [...Keys, claimId: string, captureMayBeUsed: '0' | '1']): Promise<number>;
  sessionComplete(...args: CompleteArgs): Promise<number>;
  sessionFail(...args: [...Keys, claimId: string, failure: string]): Promise<number>;
  sessionRecordBiometry(...args: [...Keys, now: string, result: string]): Promise<number>;
}

export type CompleteArgs = [...Keys, staged: string, claimId: string, result: string, heldUntil: string];

/**
 * A pipeline or MULTI of the client (ioredis gives them the scripts too): the staged best shot,
 * then COMPLETE; the best shot's state, then its bytes.
 */
export interface SessionPipeline {
  set(key: string, value: Buffer, px: 'PX', milliseconds: number): SessionPipeline;
  sessionComplete(...args: CompleteArgs): SessionPipeline;
  sessionBestShotState(...args: [...Keys, now: string]): SessionPipeline;
  getBuffer(key: string): SessionPipeline;
  exec(): Promise<[Error | null, unknown][] | null>;
}
