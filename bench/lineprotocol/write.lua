-- wrk script: POST line protocol batches, rotating over a fixed set of series. Lines carry no
-- timestamp: both servers stamp a batch on arrival (InfluxDB in ns, so no point overwrites another;
-- explicit timestamps from several connections would reach a series out of order).
--
--   wrk -t2 -c4 -d30s --timeout 30s -s bench/lineprotocol/write.lua 'http://127.0.0.1:PORT/write?db=bench' -- LINES SERIES [TOKEN]
--
-- Series: measurement bench, tags customer=load,host=h<i> (i < SERIES), 2 fields a line
-- (f1 float, f2 float). Request k of a thread covers series [(k*LINES) mod SERIES, … + LINES).
-- done() prints one machine-readable line:
--   LP_RESULT lines=.. requests=.. ok204=.. non204=.. duration_us=.. lines_per_s=.. values_per_s=.. ...
-- wrk calls response() only for answers with headers (Vigil's 204 has none), so ok204 is
-- completed requests minus the non-204 answers seen (errors all carry Content-Type).

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  lines = tonumber(args[1] or "5000")
  series = tonumber(args[2] or "10000")
  local token = args[3]
  heads = {}
  for i = 0, series - 1 do
    heads[i] = string.format("bench,customer=load,host=h%d f1=%d.5,f2=%d", i, i % 100, i % 7)
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "text/plain; charset=utf-8"
  if token ~= nil and token ~= "" then wrk.headers["Authorization"] = "Token " .. token end
  k = tid  -- threads start at different offsets of the rotation
  non204 = 0
  statuses = {}
  first_bad = ""
  parts = {}
end

function request()
  local start = (k * lines) % series
  for j = 1, lines do
    parts[j] = heads[(start + j - 1) % series]
  end
  k = k + 1
  return wrk.format(nil, nil, nil, table.concat(parts, "\n"))
end

function response(status, headers, body)
  if status ~= 204 then
    non204 = non204 + 1
    local s = tostring(status)
    statuses[s] = (statuses[s] or 0) + 1
    if first_bad == "" then first_bad = s .. " " .. string.sub(body or "", 1, 300) end
  end
end

function done(summary, latency, requests)
  local bad, codes, first = 0, {}, ""
  for _, t in ipairs(threads) do
    bad = bad + t:get("non204")
    local st = t:get("statuses")
    if st ~= nil then for s, n in pairs(st) do codes[s] = (codes[s] or 0) + n end end
    local fb = t:get("first_bad")
    if first == "" and fb ~= nil then first = fb end
  end
  local ok = summary.requests - bad
  local l = threads[1]:get("lines")
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format("LP_RESULT lines=%d requests=%d ok204=%d non204=%d duration_us=%d req_per_s=%.1f lines_per_s=%.0f values_per_s=%.0f "
      .. "lat_p50_ms=%.1f lat_p99_ms=%.1f err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d\n",
    l, summary.requests, ok, bad, summary.duration, ok / secs, ok * l / secs, 2 * ok * l / secs,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, e.connect, e.read, e.write, e.status, e.timeout))
  if bad > 0 then
    local list = {}
    for s, n in pairs(codes) do table.insert(list, s .. "x" .. n) end
    io.write("LP_NON204 " .. table.concat(list, ",") .. " first: " .. first .. "\n")
  end
end
