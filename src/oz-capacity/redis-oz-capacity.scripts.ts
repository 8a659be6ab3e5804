/**
 * The deployment's capacity in Redis, decided by these scripts alone (Redis runs a script by
 * itself, so that no two replicas can take the last slot). The algorithm is the fair counting
 * semaphore of "Redis in Action" §6.3 (holders in a ZSET scored by their lease's end, an arrival
 * counter for order), with its waiters kept in a second ZSET ordered by that counter's ticket
 * instead of retrying, and only the head of that queue taking a slot (strict first come first
 * served), and the pace as GCRA with no burst (ITU-T I.371's virtual scheduling:
 * one "next allowed start" instant, moved on by the pace at every start), decided in the same
 * script as the slot.
 *
 * KEYS: 1 holders (id → lease end), 2 queue (id → ticket), 3 alive (a waiter's id → the end of
 * its replica's heartbeat), 4 the ticket counter, 5 the next allowed start. They share one hash
 * tag, so that a Redis Cluster keeps them in one slot. Each key also expires once nothing in it
 * can still be alive (holders after a lease, the queue after a heartbeat), so that a deployment
 * whose replicas all died leaves nothing behind but the counter. ARGV[1] is the channel that wakes the
 * replicas whenever a waiter may now go. Every instant is Redis' own clock (TIME): one clock for
 * every replica, whatever theirs say.
 */
const PRELUDE = `
local holders, queue, alive, tickets, nextStart = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local channel = ARGV[1]
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)

-- Leases that ran out: a holder that never gave back (its replica died), a waiter whose replica
-- stopped beating. Both make room for others.
local function sweep()
  local freed = redis.call('ZREMRANGEBYSCORE', holders, '-inf', now)
  local dead = redis.call('ZRANGEBYSCORE', alive, '-inf', now, 'LIMIT', 0, 1000)
  if #dead > 0 then
    redis.call('ZREM', queue, unpack(dead))
    redis.call('ZREM', alive, unpack(dead))
  end
  return freed + #dead
end

local function wakeWaiters()
  if redis.call('ZCARD', queue) > 0 then redis.call('PUBLISH', channel, 'freed') end
end

-- Only the head of the queue may take a slot: starts keep the order in which the bodies
-- arrived across replicas. {outcome, ticket, milliseconds until it is worth asking again (the
-- next allowed start, or the end of the first lease), or -1 when a wake will come}.
local function decide(id, capacity, leaseMs, paceMs)
  local rank = redis.call('ZRANK', queue, id)
  if not rank then return {'gone', 0, -1} end
  if rank > 0 then return {'wait', 0, -1} end
  local free = capacity - redis.call('ZCARD', holders)
  if free <= 0 then
    -- Full: the first lease to end is when a slot comes back if its holder never gives it back.
    local first = redis.call('ZRANGE', holders, 0, 0, 'WITHSCORES')
    if first[2] then return {'wait', 0, tonumber(first[2]) - now + 1} end
    return {'wait', 0, -1}
  end
  local allowed = tonumber(redis.call('GET', nextStart) or '0')
  if now < allowed then return {'wait', 0, allowed - now} end
  redis.call('ZREM', queue, id)
  redis.call('ZREM', alive, id)
  redis.call('ZADD', holders, now + leaseMs, id)
  redis.call('PEXPIRE', holders, leaseMs)
  if paceMs > 0 then redis.call('SET', nextStart, now + paceMs, 'PX', paceMs) end
  -- Another slot is still free: the next waiter, now the head, may go now or learn when its pace allows.
  if free > 1 then wakeWaiters() end
  return {'granted', 0, -1}
end
`;

/** ARGV: channel, id, capacity, leaseMs, paceMs, aliveMs, mode ('join' stays queued, 'once' leaves when it cannot go). */
const JOIN = `
if sweep() > 0 then wakeWaiters() end
local id, aliveMs = ARGV[2], tonumber(ARGV[6])
local ticket = redis.call('INCR', tickets)
redis.call('ZADD', queue, ticket, id)
redis.call('ZADD', alive, now + aliveMs, id)
redis.call('PEXPIRE', queue, aliveMs)
redis.call('PEXPIRE', alive, aliveMs)
local answer = decide(id, tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]))
if answer[1] ~= 'granted' and ARGV[7] == 'once' then
  redis.call('ZREM', queue, id)
  redis.call('ZREM', alive, id)
end
answer[2] = ticket
return answer
`;

/** ARGV: channel, id, capacity, leaseMs, paceMs. A queued waiter asks again (it was woken). */
const TRY = `
if sweep() > 0 then wakeWaiters() end
return decide(ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]))
`;

/** ARGV: channel, ids (one by one: Lua's unpack stops at a few thousand). Gives back slots and places; the slots given back. */
const LEAVE = `
local released = 0
for i = 2, #ARGV do
  released = released + redis.call('ZREM', holders, ARGV[i])
  redis.call('ZREM', queue, ARGV[i])
  redis.call('ZREM', alive, ARGV[i])
end
sweep()
wakeWaiters()
return released
`;

/** ARGV: channel, aliveMs, ids of this replica's waiters. Renews them; answers those no longer queued. */
const HEARTBEAT = `
local aliveMs, missing = tonumber(ARGV[2]), {}
for i = 3, #ARGV do
  if redis.call('ZSCORE', queue, ARGV[i]) then
    redis.call('ZADD', alive, now + aliveMs, ARGV[i])
  else
    missing[#missing + 1] = ARGV[i]
  end
end
if #missing < #ARGV - 2 then
  redis.call('PEXPIRE', queue, aliveMs)
  redis.call('PEXPIRE', alive, aliveMs)
end
if sweep() > 0 then wakeWaiters() end
return missing
`;

const script = (body: string) => ({ numberOfKeys: 5, lua: PRELUDE + body });

/** The names they get on the capacity's own client (ioredis `defineCommand`). */
export const CAPACITY_SCRIPTS = {
  ozCapacityJoin: script(JOIN),
  ozCapacityTry: script(TRY),
  ozCapacityLeave: script(LEAVE),
  ozCapacityHeartbeat: script(HEARTBEAT),
} as const;

export type CapacityKeys = [holders: string, queue: string, alive: string, tickets: string, nextStart: string];
/** outcome, ticket (JOIN only), milliseconds until the pace or the first lease's end lets it ask again (-1: a wake will come). */
export type CapacityAnswer = ['granted' | 'wait' | 'gone', number, number];

export interface CapacityScripts {
  ozCapacityJoin(
    ...args: [...CapacityKeys, channel: string, id: string, capacity: number, leaseMs: number, paceMs: number, aliveMs: number, mode: 'join' | 'once']
  ): Promise<CapacityAnswer>;
  ozCapacityTry(...args: [...CapacityKeys, channel: string, id: string, capacity: number, leaseMs: number, paceMs: number]): Promise<CapacityAnswer>;
  ozCapacityLeave(...args: [...CapacityKeys, channel: string, ...ids: string[]]): Promise<number>;
  ozCapacityHeartbeat(...args: [...CapacityKeys, channel: string, aliveMs: number, ...ids: string[]]): Promise<string[]>;
}
