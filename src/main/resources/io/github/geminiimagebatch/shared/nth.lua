-- How long ago (ms, Redis time) the n-th admission (ARGV[1]) accepted before the refused one was made,
-- in log KEYS[1]; -1 when there is none. The refused request is taken to be the newest of the instance
-- whose members start with ARGV[2] ("<instance>#"), as a 429 comes back fast: the admissions other
-- instances made after it are not counted (they reached the server after it; counting them would
-- measure the window from an older admission and learn it too long).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = tonumber(ARGV[1])
local prefix = ARGV[2]
local refused = 0
local page = 100
local found = false
for from = 0, 900, page do
  local members = redis.call('ZREVRANGE', KEYS[1], from, from + page - 1)
  for i, member in ipairs(members) do
    if string.sub(member, 1, #prefix) == prefix then
      refused = from + i - 1
      found = true
      break
    end
  end
  if found or #members < page then
    break
  end
end
local entry = redis.call('ZREVRANGE', KEYS[1], refused + n, refused + n, 'WITHSCORES')
if #entry == 0 then
  return -1
end
return now - tonumber(entry[2])
