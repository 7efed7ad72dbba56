-- wrk script: POST a danmaku as a random bench user to a random bench video; counts statuses per thread.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  dofile(args[1])
  statuses = {}
  math.randomseed(os.time() * 100 + id)
  n = 0
end

function request()
  n = n + 1
  local token = tokens[math.random(#tokens)]
  local video = videos[math.random(#videos)]
  local body = '{"text":"bench ' .. n .. '","playbackMs":' .. math.random(0, 9000) .. '}'
  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
  if service_token then -- straight to danmaku-service, with the headers the gateway would add
    headers = { ["Content-Type"] = "application/json", ["X-Service-Token"] = service_token,
      ["X-User-Id"] = tostring(math.random(#tokens)) }
  end
  return wrk.format("POST", "/api/v1/videos/" .. video .. "/danmaku", headers, body)
end

function response(status, headers, body)
  local key = status
  if status ~= 201 then -- tell the refusals apart by their problem code
    key = status .. " " .. (string.match(body or "", '"code":"([^"]+)"') or "?")
  end
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for status, count in pairs(s) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  local seconds = summary.duration / 1e6
  for status, count in pairs(totals) do
    io.write(string.format("status %s: %d (%.0f/s)\n", tostring(status), count, count / seconds))
  end
  io.write(string.format("acknowledged (201) POST/s: %.0f\n", (totals[201] or 0) / seconds))
  io.write(string.format("latency p50 %.1f ms, p99 %.1f ms (all responses)\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
