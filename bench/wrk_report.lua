-- wrk script of bench/harness.py.
--   GET (default): the URL and the -H headers as given, a static request.
--   BENCH_BODIES=<file>: POST one line of the file per request, cycling; each thread starts at its own
--   offset so that threads do not send the same bodies at the same moment. BENCH_CONTENT_TYPE sets the
--   Content-Type (default application/json).
-- Every response with status >= 400 is counted by status; done() prints one line
-- "BENCH_JSON {...}" with requests, duration, latency percentiles (microseconds) and errors.

local threads = {}
local bodies_path = os.getenv("BENCH_BODIES")

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

codes = {}

function response(status, headers, body)
  if status >= 400 then
    codes[status] = (codes[status] or 0) + 1
  end
end

if bodies_path and bodies_path ~= "" then
  local bodies = {}
  local counter = 0

  function init(args)
    for line in io.lines(bodies_path) do
      if line ~= "" then
        bodies[#bodies + 1] = line
      end
    end
    counter = (tid or 0) * math.floor(#bodies / 2)
    wrk.method = "POST"
    wrk.headers["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE") or "application/json"
  end

  function request()
    counter = counter + 1
    return wrk.format(nil, nil, nil, bodies[(counter % #bodies) + 1])
  end
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    local c = thread:get("codes")
    if c then
      for status, n in pairs(c) do
        merged[status] = (merged[status] or 0) + n
      end
    end
  end
  local status_parts = {}
  for status, n in pairs(merged) do
    status_parts[#status_parts + 1] = string.format('"%d": %d', status, n)
  end
  local pct = {}
  for _, p in ipairs({50, 75, 90, 95, 99, 99.9}) do
    pct[#pct + 1] = string.format('"%s": %d', tostring(p), latency:percentile(p))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "latency_us": {%s, "mean": %.1f, "max": %d, "stdev": %.1f}, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, "status_counts": {%s}}\n',
    summary.requests, summary.duration, summary.bytes, table.concat(pct, ", "),
    latency.mean, latency.max, latency.stdev,
    e.connect, e.read, e.write, e.status, e.timeout, table.concat(status_parts, ", ")))
end
