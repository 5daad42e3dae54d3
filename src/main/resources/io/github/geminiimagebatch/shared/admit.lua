-- May one more request (and its images) go now, counting every instance? Atomic; Redis's own
-- clock (TIME), so the clocks of the instances' machines do not matter.
-- KEYS: 1 paused, 2 closed, 3 requests log, 4 images log, 5 last admission, 6 learned limits,
--       7 requests today, 8 images today
-- ARGV: 1 admission id, 2 images, 3 ms until the daily reset, 4 number of configured limits,
--       then 6 per limit: unit (requests|images), kind (sliding|day), permits, period ms, span ms, text
-- Learned limits are hash values "unit|kind|permits|periodMs|spanMs|text".
-- Returns {code, now, until, reason, ready}: 1 granted, 0 wait until, -1 closed until (all ms, Redis time);
-- ready, on a grant: since when every sliding limit and the spreading had room for it (-1: always had),
-- so the instance can tell how late after the shared window freed the admission came.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local images = tonumber(ARGV[2])
local msToReset = tonumber(ARGV[3])

local closedTtl = redis.call('PTTL', KEYS[2])
if closedTtl > 0 then
  return {-1, now, now + closedTtl, redis.call('GET', KEYS[2])}
end

local limits = {}
for i = 0, tonumber(ARGV[4]) - 1 do
  local b = 5 + i * 6
  limits[#limits + 1] = {ARGV[b], ARGV[b + 1], tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3]), tonumber(ARGV[b + 4]), ARGV[b + 5]}
end
for _, v in ipairs(redis.call('HVALS', KEYS[6])) do
  local f = {}
  for part in string.gmatch(v, '([^|]+)') do
    f[#f + 1] = part
  end
  limits[#limits + 1] = {f[1], f[2], tonumber(f[3]), tonumber(f[4]), tonumber(f[5]), f[6]}
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
local keep = 3660000
for _, l in ipairs(limits) do
  local unit, kind, permits, period, span, text = l[1], l[2], l[3], l[4], l[5], l[6]
  local weight = 1
  if unit == 'images' then
    weight = math.min(images, permits)
  end
  if weight > 0 then
    if kind == 'day' then
      local counter = KEYS[7]
      if unit == 'images' then
        counter = KEYS[8]
      end
      local used = tonumber(redis.call('GET', counter) or '0')
      if used + weight > permits then
        return {-1, now, now + msToReset, 'per-day limit ' .. text .. ' (' .. unit .. ') is used up by the instances together'}
      end
    else
      local log = KEYS[3]
      if unit == 'images' then
        log = KEYS[4]
      end
      keep = math.max(keep, span)
      local from = now - span
      local used = redis.call('ZCOUNT', log, '(' .. from, '+inf')
      if weight <= permits then
        -- the window has room for weight more once the (permits - weight + 1)-th newest admission ages out
        local blocking = redis.call('ZREVRANGE', log, permits - weight, permits - weight, 'WITHSCORES')
        if #blocking > 0 then
          ready = math.max(ready, tonumber(blocking[2]) + span)
        end
      end
      if used + weight > permits then
        local oldest = redis.call('ZRANGEBYSCORE', log, '(' .. from, '+inf', 'WITHSCORES', 'LIMIT', used + weight - permits - 1, 1)
        local room = tonumber(oldest[2]) + span
        if room > untilMs then
          untilMs = room
          reason = 'pacing under ' .. text .. ' (' .. unit .. ') with the other instances'
        end
      end
      if lastAt and period <= 3600000 then
        local lastWeight = 1
        if unit == 'images' then
          lastWeight = lastImages
        end
        local spaced = lastAt + math.floor(0.5 * period / permits * lastWeight)
        if lastWeight > 0 then
          ready = math.max(ready, spaced)
        end
        if lastWeight > 0 and spaced > untilMs then
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
redis.call('HSET', KEYS[5], 'at', now, 'images', images)
redis.call('PEXPIRE', KEYS[5], keep)
redis.call('INCRBY', KEYS[7], 1)
redis.call('PEXPIRE', KEYS[7], msToReset + 86400000)
return {1, now, now, '', ready}
