-- settle-5.lua: settle a reservation at its actual amount (Commit) or give it all back (Release).
--
-- KEYS[1] token bucket hash                 {tenant}:rl:<feature>
-- KEYS[2] quota counter of the reservation's period
-- KEYS[3] reservation expiry zset           {tenant}:holds:<feature>
-- KEYS[4] reservation amounts hash          {tenant}:holdamt:<feature>
-- KEYS[5] reservation record hash           {tenant}:res:<reservation id>
-- ARGV[1..6] as check-4.lua (rate, interval, burst, quota limit, hard, quota TTL s)
-- ARGV[7] reservation id
-- ARGV[8] actual units used, or -1 to release
--
-- Returns {settled, estimate, quota_used}: settled = 0 when the reservation is unknown (already settled, released
-- or expired). Commit above the estimate takes the difference even past the limit: the work was already done, so
-- the bucket may go into debt and a quota into overage. A hold that expired returns its quota, not its tokens: the
-- bucket refills by itself.

--!include lib/bucket.lua

local held = redis.call('ZSCORE', KEYS[3], ARGV[7])
local record = redis.call('HGET', KEYS[5], 'estimate')
if not held or not record then
  return {0, 0, -1}
end
local now = now_us()
if tonumber(held) < math.floor(now / 1000) then
  -- Expired but not yet purged: it no longer holds anything the caller may settle.
  return {0, tonumber(record), -1}
end

local rate, interval, cap, limit = limits_from_argv()
local estimate = tonumber(record)
local actual = tonumber(ARGV[8])
if actual < 0 then actual = 0 end
local delta = actual - estimate

if rate > 0 and delta ~= 0 then
  local tokens = load_bucket(KEYS[1], rate, cap, now)
  tokens = math.min(cap, tokens - delta * interval)
  save_bucket(KEYS[1], tokens, now, rate, cap)
end
local used = -1
if limit >= 0 then
  used = math.max(0, tonumber(redis.call('GET', KEYS[2]) or '0') + delta)
  redis.call('SET', KEYS[2], fmt(used), 'EX', ARGV[6])
end
redis.call('ZREM', KEYS[3], ARGV[7])
redis.call('HDEL', KEYS[4], ARGV[7])
redis.call('DEL', KEYS[5])
return {1, estimate, used}
