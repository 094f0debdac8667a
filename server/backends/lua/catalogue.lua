-- Add an event and its rooms to the catalogue, all or nothing.
--
-- KEYS[1] events hash (event_id -> msgpack event)   KEYS[2] rooms hash (code -> event_id)
-- ARGV[1] "create" (refuse if anything exists) or "restore" (put back what is missing)
-- ARGV[2] event_id   ARGV[3] the event, msgpack   ARGV[4..] the room codes
--
-- Returns "ok", or "event" / "room:<code>" naming what already exists ("create" only).
-- Both hashes share the {catalogue} hash tag: one shard holds the whole catalogue.
--
-- ARGV[1] "update" (an organiser's change, issue 15): ARGV[3] the changed event,
-- ARGV[4] the entry it was made from (compare and set), ARGV[5..] the rooms it adds.
-- Returns "ok", "missing" (no such event), "changed" (the entry is no longer ARGV[4]:
-- read it again and retry) or "room:<code>" (an added code exists).

if ARGV[1] == 'update' then
  local current = redis.call('HGET', KEYS[1], ARGV[2])
  if not current then
    return 'missing'
  end
  if current ~= ARGV[4] then
    return 'changed'
  end
  for i = 5, #ARGV do
    if redis.call('HEXISTS', KEYS[2], ARGV[i]) == 1 then
      return 'room:' .. ARGV[i]
    end
  end
  redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
  for i = 5, #ARGV do
    redis.call('HSET', KEYS[2], ARGV[i], ARGV[2])
  end
  return 'ok'
end

if ARGV[1] == 'create' then
  if redis.call('HEXISTS', KEYS[1], ARGV[2]) == 1 then
    return 'event'
  end
  for i = 4, #ARGV do
    if redis.call('HEXISTS', KEYS[2], ARGV[i]) == 1 then
      return 'room:' .. ARGV[i]
    end
  end
end
redis.call('HSETNX', KEYS[1], ARGV[2], ARGV[3])
for i = 4, #ARGV do
  redis.call('HSETNX', KEYS[2], ARGV[i], ARGV[2])
end
return 'ok'
