-- Keep instance ARGV[1]'s claim (KEYS[2]) for ARGV[2] ms more; take it again if Redis lost it.
-- KEYS: 1 done, 2 claim. Returns 'mine', 'done' or the instance that holds it now.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 'done'
end
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= ARGV[1] then
  return holder
end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return 'mine'
