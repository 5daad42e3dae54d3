-- Pause or close (KEYS[1]) for ARGV[1] ms with reason ARGV[2]; only ever lengthens what is there.
local ttl = redis.call('PTTL', KEYS[1])
if ttl < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[1])
  return 1
end
return 0
