-- check-4.lua: decide a run of checks on one (tenant, feature) atomically, in order; optionally lease tokens.
--
-- KEYS[1] token bucket hash                 {tenant}:rl:<feature>
-- KEYS[2] period quota counter              {tenant}:q:<feature>:<period>
-- KEYS[3] reservation expiry zset           {tenant}:holds:<feature>
-- KEYS[4] reservation amounts hash          {tenant}:holdamt:<feature>
-- ARGV[1] rate: whole tokens added per interval (0 = no rate limit)
-- ARGV[2] interval in microseconds
-- ARGV[3] burst (bucket capacity in whole tokens)
-- ARGV[4] quota limit in units (-1 = no quota)
-- ARGV[5] 1 = hard quota (deny), 0 = soft (allow, flag overage)
-- ARGV[6] quota counter TTL in seconds (period end plus a margin)
-- ARGV[7] period id of KEYS[2], e.g. 2026-11 (matches held reservations)
-- ARGV[8] whole tokens returned from an expired lease (added before deciding, capped at burst)
-- ARGV[9] quota units returned from an expired lease
-- ARGV[10] whole tokens to lease after deciding (0 = none); limited by what is left
-- ARGV[11..] the checks, in order, as runs of equal checks: cost, count, cost, count, ...; a dry-run check's cost
--           is encoded as -(cost + 1)
--
-- Returns {tokens, quota_used, leased, then per run: tokens_before, used_before, segments, outcome_1, count_1,
-- outcome_2, count_2, ...}: a run's checks decided in order, as segments of equal outcomes. Equal checks change the
-- state by the same amount when allowed and not at all otherwise, so the caller recovers each check's tokens and
-- quota used from the run's starting values; a reply stays a few numbers per run however many checks it holds.
-- Tokens are scaled (whole tokens x interval), quota_used is in units, and outcome is 0 allowed, 1 rate limited,
-- 2 quota exhausted, 3 allowed over a soft quota. A bucket that does not exist is full; -1 tokens means no rate
-- limit.

--!include lib/bucket.lua

local rate, interval, cap, limit, hard = limits_from_argv()
local has_quota = limit >= 0

local now = now_us()
local tokens = -1
if rate > 0 then
  tokens = load_bucket(KEYS[1], rate, cap, now)
  tokens = math.min(cap, tokens + tonumber(ARGV[8]) * interval)
end

local used = 0
local quota_changed = false
if has_quota then
  used = tonumber(redis.call('GET', KEYS[2]) or '0')
  local back = tonumber(ARGV[9]) + purge_holds(KEYS[3], KEYS[4], ARGV[7], math.floor(now / 1000))
  if back > 0 then
    used = math.max(0, used - back)
    quota_changed = true
  end
end

local out = {0, 0, 0}
local bucket_changed = tonumber(ARGV[8]) > 0
for i = 11, #ARGV, 2 do
  local c = tonumber(ARGV[i])
  local n = tonumber(ARGV[i + 1])
  local dry = c < 0
  if dry then c = -c - 1 end
  out[#out + 1] = tokens
  out[#out + 1] = used
  local segments_at = #out + 1
  out[segments_at] = 0
  local last = -1
  for _ = 1, n do
    local outcome = 0
    if c > 0 then
      if has_quota and hard and used + c > limit then
        outcome = 2
      elseif rate > 0 and c * interval > tokens then
        outcome = 1
      else
        if has_quota and not hard and used + c > limit then outcome = 3 end
        if not dry then
          if rate > 0 then tokens = tokens - c * interval; bucket_changed = true end
          if has_quota then used = used + c; quota_changed = true end
        end
      end
    end
    if outcome == last then
      out[#out] = out[#out] + 1
    else
      out[#out + 1] = outcome
      out[#out + 1] = 1
      out[segments_at] = out[segments_at] + 1
      last = outcome
    end
  end
end

local leased = 0
local want = tonumber(ARGV[10])
if want > 0 and rate > 0 then
  leased = math.min(want, math.floor(tokens / interval))
  if has_quota and hard then leased = math.min(leased, limit - used) end
  if leased > 0 then
    tokens = tokens - leased * interval
    bucket_changed = true
    if has_quota then used = used + leased; quota_changed = true end
  else
    leased = 0
  end
end

if rate > 0 and bucket_changed then save_bucket(KEYS[1], tokens, now, rate, cap) end
if has_quota and quota_changed then redis.call('SET', KEYS[2], fmt(used), 'EX', ARGV[6]) end

out[1] = tokens
out[2] = used
out[3] = leased
return out
