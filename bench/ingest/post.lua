-- wrk script: POST one fixed JSON batch of B samples to Vigil's ingest API, over and over.
--
--   wrk -t2 -c4 -d30s --timeout 30s -s bench/ingest/post.lua http://127.0.0.1:PORT/api/v1/ingest -- B TOKEN
--
-- The batch has B samples of metric bench_load over B distinct series
-- (customer=load, system=s<i mod 50>, host=h<i>), with no "ts", so the server stamps them.
-- Every request therefore stores B new rows. Only 204 answers count as acknowledged, and done()
-- prints one machine-readable line:
--   WRK_RESULT batch=B requests=.. ok204=.. non204=.. duration_us=.. samples_per_s=.. ...
-- plus the status codes of the non-204 answers (and the first such body) if there were any.
--
-- wrk quirk: it calls response() only for answers that carry at least one header, and Vigil's 204
-- has none (no body, no Content-Length, no Date). So response() sees the non-204 answers (Vigil's
-- errors all have Content-Type), and ok204 = completed requests - non204. As a cross-check,
-- wrk's own count of status >= 400 (err_status) must not exceed non204; bench/run.sh also checks
-- the acknowledged count against the server's committed counter and the samples table.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  batch = tonumber(args[1] or "1000")
  local token = args[2] or os.getenv("VIGIL_ADMIN_TOKEN")
  if token == nil or token == "" then
    error("post.lua: pass the token after --, e.g. -- 1000 vgl_...")
  end
  local parts = {}
  for i = 1, batch do
    parts[i] = string.format(
      '{"metric":"bench_load","labels":{"customer":"load","system":"s%d","host":"h%d"},"value":%d.5}',
      i % 50, i, i % 100)
  end
  wrk.method = "POST"
  wrk.body = '{"samples":[' .. table.concat(parts, ",") .. ']}'
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. token
  non204 = 0
  statuses = {}
  first_bad = ""
end

function response(status, headers, body)
  if status ~= 204 then
    non204 = non204 + 1
    local k = tostring(status)
    statuses[k] = (statuses[k] or 0) + 1
    if first_bad == "" then first_bad = k .. " " .. string.sub(body or "", 1, 300) end
  end
end

function done(summary, latency, requests)
  local bad, codes, first = 0, {}, ""
  for _, t in ipairs(threads) do
    bad = bad + t:get("non204")
    local st = t:get("statuses")
    if st ~= nil then
      for k, v in pairs(st) do codes[k] = (codes[k] or 0) + v end
    end
    local fb = t:get("first_bad")
    if first == "" and fb ~= nil then first = fb end
  end
  local ok = summary.requests - bad
  local b = threads[1] and threads[1]:get("batch") or 0
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "WRK_RESULT batch=%d requests=%d ok204=%d non204=%d duration_us=%d req_per_s=%.1f samples_per_s=%.0f "
      .. "lat_p50_ms=%.2f lat_p90_ms=%.2f lat_p99_ms=%.2f lat_max_ms=%.2f "
      .. "err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d\n",
    b, summary.requests, ok, bad, summary.duration, ok / secs, ok * b / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.status, e.timeout))
  if bad > 0 then
    local list = {}
    for k, v in pairs(codes) do table.insert(list, k .. "x" .. v) end
    io.write("WRK_NON204 " .. table.concat(list, ",") .. " first: " .. first .. "\n")
  end
end
