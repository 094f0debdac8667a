-- A room's head: its last seq and its epoch; optionally start a new log life.
--
-- KEYS[1] seq counter   KEYS[2] epoch   KEYS[3] log stream   KEYS[4] snapshot
-- ARGV[1] a fresh epoch to start a new log with when none exists, or "" to only read
--
-- Returns {seq, epoch, created (0|1)}, or nil when there is no log and ARGV[1] is "".
-- A missing epoch means the log is gone (or was never made): whatever is left of the
-- old life (counter, stream, snapshot) is removed so the new life starts at seq 1.

local epoch = redis.call('GET', KEYS[2])
if epoch then
  return {tonumber(redis.call('GET', KEYS[1])) or 0, epoch, 0}
end
if ARGV[1] == '' then
  return false
end
redis.call('DEL', KEYS[1], KEYS[3], KEYS[4])
redis.call('SET', KEYS[2], ARGV[1])
return {0, ARGV[1], 1}
