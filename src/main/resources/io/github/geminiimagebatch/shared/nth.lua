-- How long ago (ms, Redis time) the admission at index ARGV[1] from the newest of log KEYS[1] was made; -1 when none.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local entry = redis.call('ZREVRANGE', KEYS[1], ARGV[1], ARGV[1], 'WITHSCORES')
if #entry == 0 then
  return -1
end
return now - tonumber(entry[2])
