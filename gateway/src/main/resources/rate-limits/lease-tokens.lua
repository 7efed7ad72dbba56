-- Takes up to ARGV[3] tokens (at least ARGV[4], else none) from a token bucket: a gateway instance's
-- lease (ResilientRateLimiter). The bucket is Spring Cloud Gateway's own (request_rate_limiter.lua: the
-- same two keys, the same refill rule), read with sub-second time so that small leases refill smoothly.
-- Returns { tokens granted, whole tokens left in the bucket }.
redis.replicate_commands()

local tokens_key = KEYS[1]
local timestamp_key = KEYS[2]

local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local needed = tonumber(ARGV[4])

local time = redis.call('TIME')
local now = tonumber(time[1]) + tonumber(time[2]) / 1000000

local ttl = math.max(1, math.ceil(capacity / rate * 2))

local last_tokens = tonumber(redis.call('get', tokens_key)) or capacity
local last_refreshed = tonumber(redis.call('get', timestamp_key)) or 0

local filled = math.min(capacity, last_tokens + math.max(0, now - last_refreshed) * rate)
local granted = 0
if filled >= needed then
  granted = math.min(wanted, math.floor(filled))
end
local left = filled - granted

redis.call('setex', tokens_key, ttl, left)
redis.call('setex', timestamp_key, ttl, now)

return { granted, math.floor(left) }
