-- The admission ARGV[1] (ARGV[2] images) left only now: count it from now (Redis time).
-- KEYS: 1 requests log, 2 images log, 3 last admission
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], 'XX', 'GT', now, ARGV[1])
for j = 1, tonumber(ARGV[2]) do
  redis.call('ZADD', KEYS[2], 'XX', 'GT', now, ARGV[1] .. '#' .. j)
end
local lastAt = tonumber(redis.call('HGET', KEYS[3], 'at'))
if lastAt and now > lastAt then
  redis.call('HSET', KEYS[3], 'at', now, 'images', ARGV[2])
end
return now
