-- wrk script for checking the receiver alone: POST a ~1.5 kB Alertmanager-sized body with a unique Idempotency-Key.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"version":"4","status":"firing","alerts":[{"labels":{"alertname":"BenchBacklog"},"x":"' .. string.rep("y", 1400) .. '"}]}'
local n = 0
request = function()
  n = n + 1
  wrk.headers["Idempotency-Key"] = "wrk-" .. tostring(n) .. "-" .. tostring(math.random(1, 1000000000))
  return wrk.format()
end
