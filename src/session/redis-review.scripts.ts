import { script } from './redis-session.scripts';

/**
 * The scripts of human review (docs/api.md §15). RECORD_REVIEW runs on a session's keys, like every
 * change of a session. The others run on the review queue: two sorted sets under one hash tag of
 * their own (`<prefix>{reviews}:pending`, scored by `since`, and `<prefix>{reviews}:purge`, scored
 * by the session's purgeAt), so that a Cluster keeps them in one slot, which cannot be the slot of
 * every session: the session hash is the truth and the queue is an index of it (see
 * RedisReviewQueue for how the two are kept in step).
 */

/**
 * ARGV: now, expectedReceipt, result. A compare-and-set on the result of a completed session: of
 * two reviewers who read the same pending result, the first replaces it and the second finds a
 * receipt that is no longer the one it read. cjson only reads the stored result: it is replaced by
 * the caller's bytes, never re-encoded here.
 */
const RECORD_REVIEW = `
if purged(tonumber(ARGV[1])) then return 'not-found' end
local f = redis.call('HMGET', session, 'status', 'result')
if f[1] ~= 'completed' or not f[2] then return 'not-found' end
if cjson.decode(f[2]).receipt ~= ARGV[2] then return 'changed' end
redis.call('HSET', session, 'result', ARGV[3])
return 'recorded'
`;

/**
 * Drops the entries of sessions purged by \`now\` (ARGV[1]) from both sets, so that no entry
 * outlives its session, whoever asks first: a listing, a count, an entry added.
 */
const QUEUE_PRELUDE = `
local order, purge = KEYS[1], KEYS[2]
local function prune(now)
  while true do
    local gone = redis.call('ZRANGEBYSCORE', purge, '-inf', now, 'LIMIT', 0, 500)
    if #gone == 0 then return end
    redis.call('ZREM', order, unpack(gone))
    redis.call('ZREM', purge, unpack(gone))
  end
end
`;

/** ARGV: now, sessionId, since, purgeAt. A session entering review, or entering it again (a new since). */
const QUEUE_ADD = `
prune(ARGV[1])
redis.call('ZADD', order, ARGV[3], ARGV[2])
redis.call('ZADD', purge, ARGV[4], ARGV[2])
return 1
`;

/**
 * ARGV: sessionId, since ('' for any). With a since, removes the entry only while it is still the
 * review that was decided: a session that entered review again meanwhile (a later since) keeps its place.
 */
const QUEUE_REMOVE = `
local score = redis.call('ZSCORE', order, ARGV[1])
if not score then return 0 end
if ARGV[2] ~= '' and tonumber(score) ~= tonumber(ARGV[2]) then return 0 end
redis.call('ZREM', order, ARGV[1])
redis.call('ZREM', purge, ARGV[1])
return 1
`;

/**
 * ARGV: now, cursorSince ('' for the first page), cursorId, count. Keyset paging on (since, id),
 * the sorted set's own order (equal scores order their members as bytes): the page starts at the
 * rank the cursor would have, whether or not its entry is still there (reviewed since), so that
 * nothing is skipped or repeated while entries come and go. That rank is ZCOUNT of the lower
 * scores plus the members of the cursor's own score that are not after it; those are compared
 * byte by byte here, since Lua's string comparison follows the server's collation locale.
 * Returns id, since, id, since…
 */
const QUEUE_PAGE = `
prune(ARGV[1])
local function after(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x > y end
  end
  return #a > #b
end
local start = 0
if ARGV[2] ~= '' then
  start = redis.call('ZCOUNT', order, '-inf', '(' .. ARGV[2])
  for _, member in ipairs(redis.call('ZRANGEBYSCORE', order, ARGV[2], ARGV[2])) do
    if after(member, ARGV[3]) then break end
    start = start + 1
  end
end
return redis.call('ZRANGE', order, start, start + tonumber(ARGV[4]) - 1, 'WITHSCORES')
`;

/** ARGV: now. The number of pending reviews. */
const QUEUE_SIZE = `
prune(ARGV[1])
return redis.call('ZCARD', order)
`;

const queueScript = (body: string) => ({ numberOfKeys: 2, lua: QUEUE_PRELUDE + body });

export const REVIEW_SCRIPTS = {
  sessionRecordReview: script(RECORD_REVIEW),
  reviewQueueAdd: queueScript(QUEUE_ADD),
  reviewQueueRemove: queueScript(QUEUE_REMOVE),
  reviewQueuePage: queueScript(QUEUE_PAGE),
  reviewQueueSize: queueScript(QUEUE_SIZE),
} as const;

type Keys = [first: string, second: string];

/** The client once the scripts are defined on it. */
export interface ReviewScripts {
  sessionRecordReview(...args: [...Keys, now: string, expectedReceipt: string, result: string]): Promise<'recorded' | 'not-found' | 'changed'>;
  reviewQueueAdd(...args: [...Keys, now: string, sessionId: string, since: string, purgeAt: string]): Promise<number>;
  reviewQueueRemove(...args: [...Keys, sessionId: string, since: string]): Promise<number>;
  reviewQueuePage(...args: [...Keys, now: string, cursorSince: string, cursorId: string, count: string]): Promise<string[]>;
  reviewQueueSize(...args: [...Keys, now: string]): Promise<number>;
}
