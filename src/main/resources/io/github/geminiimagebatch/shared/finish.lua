-- Instance ARGV[1] is done with an item: mark it done (ARGV[2] not empty: what was made) and drop its claim.
-- KEYS: 1 done, 2 claim.
if ARGV[2] ~= '' then
  redis.call('SET', KEYS[1], ARGV[2])
end
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
end
return 1
