-- reserve-5.lua: take `estimate` units of rate and quota capacity and hold them until settled or expired.
--
-- KEYS[1] token bucket hash                 {tenant}:rl:<feature>
-- KEYS[2] period quota counter              {tenant}:q:<feature>:<period>
-- KEYS[3] reservation expiry zset           {tenant}:holds:<feature>
-- KEYS[4] reservation amounts hash          {tenant}:holdamt:<feature>
-- KEYS[5] reservation record hash           {tenant}:res:<reservation id>
-- ARGV[1..7] as check-4.lua (rate, interval, burst, quota limit, hard, quota TTL s, period id)
-- ARGV[8] estimate (whole units, > 0)
-- ARGV[9] reservation id
-- ARGV[10] hold TTL in milliseconds
-- ARGV[11] feature id (stored in the record so Commit/Release need only the id)
--
-- Returns {outcome, tokens, quota_used, existing, estimate, expires_in_ms}: outcome as check-4.lua; existing = 1
-- when this id was already reserved (idempotent replay: nothing new is taken).

--!include lib/bucket.lua

local existing = redis.call('HMGET', KEYS[5], 'estimate', 'expires')
if existing[1] then
  local now_ms = math.floor(now_us() / 1000)
  return {0, -1, -1, 1, tonumber(existing[1]), math.max(0, tonumber(existing[2]) - now_ms)}
end

local rate, interval, cap, limit, hard = limits_from_argv()
local has_quota = limit >= 0
local estimate = tonumber(ARGV[8])
local ttl = tonumber(ARGV[10])

local now = now_us()
local now_ms = math.floor(now / 1000)
local tokens = -1
if rate > 0 then tokens = load_bucket(KEYS[1], rate, cap, now) end
local used = 0
if has_quota then
  used = tonumber(redis.call('GET', KEYS[2]) or '0')
  used = math.max(0, used - purge_holds(KEYS[3], KEYS[4], ARGV[7], now_ms))
end

local outcome = 0
if has_quota and hard and used + estimate > limit then
  outcome = 2
elseif rate > 0 and estimate * interval > tokens then
  outcome = 1
elseif has_quota and not hard and used + estimate > limit then
  outcome = 3
end

if outcome == 0 or outcome == 3 then
  if rate > 0 then
    tokens = tokens - estimate * interval
    save_bucket(KEYS[1], tokens, now, rate, cap)
  end
  if has_quota then
    used = used + estimate
    redis.call('SET', KEYS[2], fmt(used), 'EX', ARGV[6])
  end
  local expires = now_ms + ttl
  redis.call('ZADD', KEYS[3], expires, ARGV[9])
  redis.call('HSET', KEYS[4], ARGV[9], fmt(estimate) .. '|' .. ARGV[7])
  redis.call('HSET', KEYS[5], 'estimate', fmt(estimate), 'expires', fmt(expires), 'feature', ARGV[11], 'period', ARGV[7])
  redis.call('PEXPIRE', KEYS[5], ttl + 60000)
  redis.call('PEXPIRE', KEYS[3], ttl + 60000)
  redis.call('PEXPIRE', KEYS[4], ttl + 60000)
end
return {outcome, tokens, used, 0, estimate, ttl}
