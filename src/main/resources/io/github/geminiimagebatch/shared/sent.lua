-- The admission ARGV[1] (ARGV[2] images) left only now: count it from now (Redis time) in the windows.
-- The spreading keeps counting from the admission (the last admission is not moved): measured from the
-- sending, every request's time between admission and sending would be added to the spacing of the next.
-- KEYS: 1 requests log, 2 images log
-- Returns how long (ms) after its admission the request left; -1 when the admission is not known.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local admitted = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[1], 'XX', 'GT', now, ARGV[1])
for j = 1, tonumber(ARGV[2]) do
  redis.call('ZADD', KEYS[2], 'XX', 'GT', now, ARGV[1] .. '#' .. j)
end
if not admitted then
  return -1
end
return now - tonumber(admitted)
