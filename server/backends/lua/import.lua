-- Make a staged import a room's log, atomically: all of it or nothing (RoomLog.import_log).
--
-- The records were XADDed by the caller to a staging stream of the room (entry IDs
-- "<seq>-0", fields t and r as in the log), which only this script ever turns into the
-- log, and only into an empty one.
--
-- KEYS[1] seq counter   KEYS[2] epoch   KEYS[3] log stream   KEYS[4] staging stream
-- KEYS[5..] dedupe keys of the imported (pid, cid) pairs, first occurrence first
-- ARGV[1] n, the number of records   ARGV[2] dedupe time to live, milliseconds
-- ARGV[3] the room's pub/sub channel
-- ARGV[4..] per dedupe key: the record's seq, then its ts in milliseconds
--
-- Returns {n, epoch}; -1 when the room has no log (the caller makes one and calls
-- again), -2 when the log is not empty, -3 when the staging stream is not the n
-- records it should be (it expired, or Redis lost it). Nothing is written unless the
-- whole import is. The new head {n, epoch} is published (a hint, no record), so every
-- process tailing the room sees the log move and reads the records from the stream.

local epoch = redis.call('GET', KEYS[2])
if not epoch then
  return -1
end
if (tonumber(redis.call('GET', KEYS[1])) or 0) ~= 0 or redis.call('XLEN', KEYS[3]) ~= 0 then
  return -2
end
local n = tonumber(ARGV[1])
if redis.call('XLEN', KEYS[4]) ~= n then
  return -3
end
local last = redis.call('XREVRANGE', KEYS[4], '+', '-', 'COUNT', 1)[1]
if last[1] ~= n .. '-0' then
  return -3
end

redis.call('RENAME', KEYS[4], KEYS[3])
redis.call('PERSIST', KEYS[3])
redis.call('SET', KEYS[1], n)

local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local ttl = tonumber(ARGV[2])
local seen = {}
for i = 5, #KEYS do
  local at = 4 + (i - 5) * 2
  local left = math.floor(tonumber(ARGV[at + 1]) + ttl - now_ms)
  if not seen[KEYS[i]] and left > 0 then
    redis.call('SET', KEYS[i], epoch .. ':' .. ARGV[at], 'PX', left)
  end
  seen[KEYS[i]] = true
end

redis.call('PUBLISH', ARGV[3], cmsgpack.pack({n, epoch}))
return {n, epoch}
