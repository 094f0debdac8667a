-- Append one record to a room's log, atomically (DESIGN.md §3, issue 3).
--
-- KEYS[1] seq counter   KEYS[2] epoch   KEYS[3] log stream
-- KEYS[4] dedupe key for (pid, cid), absent when the record is never deduped
-- ARGV[1] the record body (msgpack [type, data, actor, cid], built by the caller)
-- ARGV[2] dedupe time to live, milliseconds
-- ARGV[3] the room's pub/sub channel
-- ARGV[4] a fresh nonce   ARGV[5] the HMAC of (channel, nonce, body) under the key
--         derived from WORKSHOP_SECRET (redis_keys.live_mac): subscribers drop a
--         message without it, so a PUBLISH by anyone else is never folded
--
-- Returns {seq, epoch, duplicate (0|1)}, or -1 when the room has no log (an unknown
-- room, or a Redis that lost its data): the caller decides which and retries.
--
-- Every key carries the room's hash tag, so a Redis Cluster keeps them on one shard.
-- The dedupe value is "<epoch>:<seq>": a value left over from a lost log life never
-- matches the new epoch. Nothing is written before the XADD can fail, so a failed
-- call leaves no trace (a Lua error does not roll back earlier writes).

local epoch = redis.call('GET', KEYS[2])
if not epoch then
  return -1
end

if KEYS[4] then
  local seen = redis.call('GET', KEYS[4])
  if seen then
    local sep = string.find(seen, ':', 1, true)
    if sep and string.sub(seen, 1, sep - 1) == epoch then
      return {tonumber(string.sub(seen, sep + 1)), epoch, 1}
    end
  end
end

local seq = (tonumber(redis.call('GET', KEYS[1])) or 0) + 1
-- One clock for every process: ts never goes backwards along the log.
local now = redis.call('TIME')
local ts = now[1] .. '.' .. string.format('%06d', tonumber(now[2]))

redis.call('XADD', KEYS[3], seq .. '-0', 't', ts, 'r', ARGV[1])
redis.call('SET', KEYS[1], seq)
if KEYS[4] then
  redis.call('SET', KEYS[4], epoch .. ':' .. seq, 'PX', ARGV[2])
end
redis.call('PUBLISH', ARGV[3], cmsgpack.pack({seq, epoch, ts, ARGV[1], ARGV[4], ARGV[5]}))
return {seq, epoch, 0}
