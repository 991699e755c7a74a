-- wrk script: POST an application document to the stateless decide endpoint.
-- Usage (see BENCHMARKS.md):
--   wrk -t1 -c32 -d10s -s tests/load/decide.lua \
--     "http://127.0.0.1:8098/api/v1/programs/apr.visitor-visa/decide?on=2022-05-01"
-- The body is read once from INTAKE_LOAD_BODY (default tests/applications/visitor-visa.json).
local path = os.getenv("INTAKE_LOAD_BODY") or "tests/applications/visitor-visa.json"
local f = assert(io.open(path, "rb"), "cannot read " .. path)
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"

-- No `response` callback: it would make wrk parse every answer in Lua and slow the client
-- down. wrk counts the answers that are not 2xx/3xx itself; `done` prints them.
function done(summary, latency, requests)
  local errs = summary.errors
  io.write(string.format("non-2xx/3xx: %d, socket errors: connect %d read %d write %d timeout %d\n",
    summary.errors.status, errs.connect, errs.read, errs.write, errs.timeout))
  io.write(string.format("p50 %.0f us, p99 %.0f us\n", latency:percentile(50), latency:percentile(99)))
end
