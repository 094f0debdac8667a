-- Keep a room's snapshot unless a newer one of the same log life is stored.
--
-- KEYS[1] snapshot hash {seq, epoch, blob}   KEYS[2] epoch
-- ARGV[1] seq   ARGV[2] blob
-- ARGV[3] the epoch the caller folded the state from, or "" when it cannot tell
--
-- Returns 1 (saved), 0 (ignored: an older seq, or a state of another log life), or -1
-- (the room has no log). A snapshot is stored with its epoch, and only a snapshot of
-- the current epoch is ever loaded.

local epoch = redis.call('GET', KEYS[2])
if not epoch then
  return -1
end
if ARGV[3] ~= '' and ARGV[3] ~= epoch then
  return 0
end
local stored = redis.call('HMGET', KEYS[1], 'seq', 'epoch')
if stored[1] and stored[2] == epoch and tonumber(stored[1]) > tonumber(ARGV[1]) then
  return 0
end
redis.call('HSET', KEYS[1], 'seq', ARGV[1], 'epoch', epoch, 'blob', ARGV[2])
return 1
