-- Give a room's log a new epoch because it lost records it had (its head went back
-- behind a seq already delivered: a failover to a replica that lagged, or a restore
-- from an older copy). The records left stay; clients holding seqs of the old epoch
-- get a snapshot instead of a replay of a history that no longer exists.
--
-- KEYS[1] epoch   KEYS[2] snapshot
-- ARGV[1] the epoch found behind   ARGV[2] a fresh epoch
--
-- Returns the epoch now in force (another process may have fenced first).

local epoch = redis.call('GET', KEYS[1])
if epoch ~= ARGV[1] then
  return epoch
end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('DEL', KEYS[2])
return ARGV[2]
