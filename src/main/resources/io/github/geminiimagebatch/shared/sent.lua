-- The admission ARGV[1] (ARGV[2] images) left only now: count it from now (Redis time) in the windows.
-- The spreading keeps counting from the admission (the last admission is not moved): measured from the
-- sending, every request's time between admission and sending would be added to the spacing of the next.
-- As QuotaWindow.restamp, a window found empty first is no longer "full since it was last empty", and
-- one the request (counted again if it had aged out) leaves full is. Runs after limits.lua.
-- KEYS: 1 requests log, 2 images log, 3 learned limits, 4 windows full since they were last empty
-- ARGV: 1 admission id, 2 images, 3 number of configured limits, then 6 per limit (see readLimits)
-- Returns how long (ms) after its admission the request left; -1 when the admission is not known.
local now = redisNow()
local images = tonumber(ARGV[2])
local sliding = {}
for _, l in ipairs(readLimits(4, tonumber(ARGV[3]), KEYS[3])) do
  if l[2] ~= 'day' and weightOf(l, images) > 0 then
    sliding[#sliding + 1] = l
  end
end
local keep = 3660000
for _, l in ipairs(sliding) do
  keep = math.max(keep, l[5])
  forgetIfEmpty(KEYS[4], l, usedIn(logOf(l, KEYS[1], KEYS[2]), l, now))
end

local admitted = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[1], 'XX', 'GT', now, ARGV[1])
for j = 1, images do
  redis.call('ZADD', KEYS[2], 'XX', 'GT', now, ARGV[1] .. '#' .. j)
end
for _, l in ipairs(sliding) do
  markIfFull(KEYS[4], l, usedIn(logOf(l, KEYS[1], KEYS[2]), l, now), keep)
end
if not admitted then
  return -1
end
return now - tonumber(admitted)
