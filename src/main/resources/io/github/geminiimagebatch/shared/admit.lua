-- May one more request (and its images) go now, counting every instance? Atomic; Redis's own
-- clock (TIME), so the clocks of the instances' machines do not matter. Runs after limits.lua.
-- KEYS: 1 paused, 2 closed, 3 requests log, 4 images log, 5 last admission, 6 learned limits,
--       7 requests today, 8 images today, 9 windows full since they were last empty
-- ARGV: 1 admission id, 2 images, 3 ms until the daily reset, 4 spreading factor, 5 longest spread
--       period ms, 6 given-back share (Spreading), 7 number of configured limits, then 6 per limit
--       (see readLimits)
-- Returns {code, now, until, reason, ready}: 1 granted, 0 wait until, -1 closed until (all ms, Redis time);
-- ready, on a grant: since when every sliding limit and the spreading had room for it (-1: always had),
-- so the instance can tell how late after the shared window freed the admission came.
local now = redisNow()
local images = tonumber(ARGV[2])
local msToReset = tonumber(ARGV[3])
local spreadFactor = tonumber(ARGV[4])
local longestSpread = tonumber(ARGV[5])
local givenBackShare = tonumber(ARGV[6])

local closedTtl = redis.call('PTTL', KEYS[2])
if closedTtl > 0 then
  return {-1, now, now + closedTtl, redis.call('GET', KEYS[2])}
end

local limits = readLimits(8, tonumber(ARGV[7]), KEYS[6])

-- As Pacing: a window that has been full since it was last empty gives its places back in the
-- spacing of one window earlier, so while at most a tenth of it (at least one place) is free, a
-- place it gives back is taken without spreading under any limit; more room is a gap in the work.
local used = {}
local keep = 3660000
local givenBack = false
for i, l in ipairs(limits) do
  if l[2] ~= 'day' then
    keep = math.max(keep, l[5])
    used[i] = usedIn(logOf(l, KEYS[3], KEYS[4]), l, now)
    forgetIfEmpty(KEYS[9], l, used[i])
    local weight = weightOf(l, images)
    if weight > 0 and isFilled(KEYS[9], l)
        and l[3] - used[i] - weight < math.max(1, math.floor(l[3] / givenBackShare)) then
      givenBack = true
    end
  end
end

local untilMs = now
local reason = ''
local ready = -1
local pausedTtl = redis.call('PTTL', KEYS[1])
if pausedTtl > 0 then
  untilMs = now + pausedTtl
  reason = redis.call('GET', KEYS[1])
end

local last = redis.call('HMGET', KEYS[5], 'at', 'images')
local lastAt = tonumber(last[1])
local lastImages = tonumber(last[2]) or 1
for i, l in ipairs(limits) do
  local unit, kind, permits, period, span, text = l[1], l[2], l[3], l[4], l[5], l[6]
  local weight = weightOf(l, images)
  if kind == 'day' then
    local counter = KEYS[7]
    if unit == 'images' then
      counter = KEYS[8]
    end
    local usedToday = tonumber(redis.call('GET', counter) or '0')
    if weight > 0 and usedToday + weight > permits then
      return {-1, now, now + msToReset, 'per-day limit ' .. text .. ' (' .. unit .. ') is used up by the instances together'}
    end
  else
    local log = logOf(l, KEYS[3], KEYS[4])
    if weight > 0 then
      -- the window has room for weight more once the (permits - weight + 1)-th newest admission ages out
      local blocking = redis.call('ZREVRANGE', log, permits - weight, permits - weight, 'WITHSCORES')
      if #blocking > 0 then
        ready = math.max(ready, tonumber(blocking[2]) + span)
      end
      if used[i] + weight > permits then
        local oldest = redis.call('ZRANGEBYSCORE', log, '(' .. (now - span), '+inf', 'WITHSCORES', 'LIMIT', used[i] + weight - permits - 1, 1)
        local room = tonumber(oldest[2]) + span
        if room > untilMs then
          untilMs = room
          reason = 'pacing under ' .. text .. ' (' .. unit .. ') with the other instances'
        end
      end
    end
    if lastAt and not givenBack and period <= longestSpread then
      local lastWeight = 1
      if unit == 'images' then
        lastWeight = lastImages
      end
      if lastWeight > 0 then
        local spaced = lastAt + math.floor(spreadFactor * period / permits * lastWeight)
        ready = math.max(ready, spaced)
        if spaced > untilMs then
          untilMs = spaced
          reason = 'spreading ' .. unit .. ' under ' .. text .. ' with the other instances'
        end
      end
    end
  end
end
if untilMs > now then
  return {0, now, untilMs, reason}
end

local id = ARGV[1]
redis.call('ZADD', KEYS[3], now, id)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - keep)
redis.call('PEXPIRE', KEYS[3], keep)
if images > 0 then
  for j = 1, images do
    redis.call('ZADD', KEYS[4], now, id .. '#' .. j)
  end
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - keep)
  redis.call('PEXPIRE', KEYS[4], keep)
  redis.call('INCRBY', KEYS[8], images)
  redis.call('PEXPIRE', KEYS[8], msToReset + 86400000)
end
for _, l in ipairs(limits) do
  if l[2] ~= 'day' and weightOf(l, images) > 0 then
    markIfFull(KEYS[9], l, usedIn(logOf(l, KEYS[3], KEYS[4]), l, now), keep)
  end
end
redis.call('HSET', KEYS[5], 'at', now, 'images', images)
redis.call('PEXPIRE', KEYS[5], keep)
redis.call('INCRBY', KEYS[7], 1)
redis.call('PEXPIRE', KEYS[7], msToReset + 86400000)
return {1, now, now, '', ready}
