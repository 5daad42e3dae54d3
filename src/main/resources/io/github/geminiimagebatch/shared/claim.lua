-- Claim an item's request key for instance ARGV[1] for ARGV[2] ms, unless it is done or held by another.
-- KEYS: 1 done, 2 claim. Returns {'done', value} | {'held', holder} | {'mine', instance}.
local done = redis.call('GET', KEYS[1])
if done then
  return {'done', done}
end
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= ARGV[1] then
  return {'held', holder}
end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return {'mine', ARGV[1]}
