-- wrk script: validate and decide interleaved, one validate of the IMM 5257 form for each
-- decision on the whole application (a representative saves a form, then checks the
-- application). The URL given to wrk is only used for its host; the paths are set here.
local function read(path)
  local f = assert(io.open(path, "rb"), "cannot read " .. path)
  local s = f:read("*a")
  f:close()
  return s
end
local program = "/api/v1/programs/apr.visitor-visa"
local headers = { ["Content-Type"] = "application/json" }
local decide = wrk.format("POST", program .. "/decide?on=2022-05-01", headers,
  read("tests/applications/visitor-visa.json"))
local validate = wrk.format("POST", program .. "/forms/imm5257/validate", headers,
  read("tests/load/imm5257-form.json"))
local n = 0

function request()
  n = n + 1
  if n % 2 == 0 then return decide end
  return validate
end

function done(summary, latency, requests)
  local errs = summary.errors
  io.write(string.format("non-2xx/3xx: %d, socket errors: connect %d read %d write %d timeout %d\n",
    summary.errors.status, errs.connect, errs.read, errs.write, errs.timeout))
  io.write(string.format("p50 %.0f us, p99 %.0f us\n", latency:percentile(50), latency:percentile(99)))
end
