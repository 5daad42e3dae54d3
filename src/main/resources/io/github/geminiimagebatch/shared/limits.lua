-- Shared by admit.lua and sent.lua (RedisQuota runs each with this in front).
-- Redis's own clock in ms.
local function redisNow()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- The limits in force: `count` configured ones from ARGV[first] on, 6 each (unit (requests|images),
-- kind (sliding|day), permits, period ms, span ms, text), then the learned ones, hash values
-- "unit|kind|permits|periodMs|spanMs|text" of `learnedKey`.
local function readLimits(first, count, learnedKey)
  local limits = {}
  for i = 0, count - 1 do
    local b = first + i * 6
    limits[#limits + 1] = {ARGV[b], ARGV[b + 1], tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3]), tonumber(ARGV[b + 4]), ARGV[b + 5]}
  end
  for _, v in ipairs(redis.call('HVALS', learnedKey)) do
    local f = {}
    for part in string.gmatch(v, '([^|]+)') do
      f[#f + 1] = part
    end
    limits[#limits + 1] = {f[1], f[2], tonumber(f[3]), tonumber(f[4]), tonumber(f[5]), f[6]}
  end
  return limits
end

-- What a request for `images` images weighs under limit l.
local function weightOf(l, images)
  if l[1] == 'images' then
    return math.min(images, l[3])
  end
  return 1
end

-- A sliding window "has been full since it was last empty" (QuotaWindow): one field per window
-- (unit, permits, span) in the hash filledKey. Cleared when the window is found empty ...
local function forgetIfEmpty(filledKey, l, used)
  if used == 0 then
    redis.call('HDEL', filledKey, l[1] .. ' ' .. l[3] .. ' ' .. l[5])
  end
end

-- ... set when an admission (or a request counted again from its sending) leaves it full.
local function markIfFull(filledKey, l, used, keep)
  if used >= l[3] then
    redis.call('HSET', filledKey, l[1] .. ' ' .. l[3] .. ' ' .. l[5], 1)
    redis.call('PEXPIRE', filledKey, keep)
  end
end

local function isFilled(filledKey, l)
  return redis.call('HEXISTS', filledKey, l[1] .. ' ' .. l[3] .. ' ' .. l[5]) == 1
end

-- The sliding log limit l counts in.
local function logOf(l, requestsLog, imagesLog)
  if l[1] == 'images' then
    return imagesLog
  end
  return requestsLog
end

-- How many admissions (or images) the sliding log `log` still counts under limit l at `now`.
local function usedIn(log, l, now)
  return redis.call('ZCOUNT', log, '(' .. (now - l[5]), '+inf')
end

