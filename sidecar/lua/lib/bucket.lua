-- Shared helpers for the bucket scripts; included (not pasted) by the loader at `--!include lib/bucket.lua`.
--
-- A token bucket is a hash {t = scaled tokens, ts = last refill in microseconds of Redis TIME}. Tokens are scaled by
-- the refill interval in microseconds, so refill is integer arithmetic: `tokens` whole tokens every `interval` us
-- add exactly `tokens` scaled units per microsecond. Scaled values stay below 2^53 (checked when config loads),
-- where Lua numbers are exact. Values are written with %.0f because tostring() keeps only 14 digits.

local function fmt(n)
  return string.format('%.0f', n)
end

-- The limits every bucket script takes first: ARGV[1] rate, ARGV[2] interval (us), ARGV[3] burst, ARGV[4] quota
-- limit (-1 = none), ARGV[5] '1' for a hard quota. Returns rate, interval, capacity (scaled), limit, hard.
local function limits_from_argv()
  local interval = tonumber(ARGV[2])
  return tonumber(ARGV[1]), interval, tonumber(ARGV[3]) * interval, tonumber(ARGV[4]), ARGV[5] == '1'
end

local function now_us()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end

-- Returns scaled tokens after refill up to `cap` at `now`.
local function load_bucket(key, rate, cap, now)
  local st = redis.call('HMGET', key, 't', 'ts')
  local tokens = tonumber(st[1])
  local ts = tonumber(st[2])
  if tokens == nil or ts == nil then
    return cap
  end
  if now > ts then
    local missing = cap - tokens
    if missing > 0 then
      local elapsed = now - ts
      if elapsed >= missing / rate then
        tokens = cap
      else
        tokens = tokens + elapsed * rate
      end
    end
  end
  return tokens
end

local function save_bucket(key, tokens, now, rate, cap)
  redis.call('HSET', key, 't', fmt(tokens), 'ts', fmt(now))
  -- Keep the key until it would be full again, plus a second; a missing bucket reads as full.
  local refill_ms = math.ceil((cap - tokens) / rate / 1000) + 1000
  redis.call('PEXPIRE', key, refill_ms)
end

-- Drops reservations whose hold expired and gives their quota back when they held the current period.
local function purge_holds(holds_key, amounts_key, period, now_ms)
  local expired = redis.call('ZRANGEBYSCORE', holds_key, '-inf', now_ms)
  local returned = 0
  for _, id in ipairs(expired) do
    local v = redis.call('HGET', amounts_key, id)
    if v then
      local sep = string.find(v, '|', 1, true)
      local amount = tonumber(string.sub(v, 1, sep - 1))
      if string.sub(v, sep + 1) == period then
        returned = returned + amount
      end
      redis.call('HDEL', amounts_key, id)
    end
    redis.call('ZREM', holds_key, id)
  end
  return returned
end
