-- One benchmark phase for wrk, against our registry or MLflow's.
--
--   wrk -t C -c C -d 10s --timeout 30s -s bench/wrk/phase.lua URL -- PHASE TARGET DATAFILE TAG LIMIT
--
-- Stateful phases (list, filter, register) must run with as many threads as connections
-- (-t = -c): each wrk thread then owns exactly one connection, so the per-thread state below
-- (multi-step registrations, page tokens) follows one request/response sequence. The other
-- phases are stateless: their requests are generated up front in init() and wrk does not
-- parse their responses (response is nil), so a few wrk threads can drive many connections
-- without the driver eating the cores it measures; failures then show in wrk's own
-- status-error count.
--
-- PHASE    get | find | list | filter | update | register | fixed (wrk's URL path)
--          | children | artifacts | batch (scale probes, ours only)
-- TARGET   ours | mlflow
-- DATAFILE tab-separated seed rows: index, model id, model name, version id, version key
--          (MLflow: model id is "-", the version id is MLflow's version number)
-- TAG      makes names created by this run unique
-- LIMIT    total requests for the phase (split over the threads); a registration is only
--          stopped between units
--
-- done() prints one JSON line prefixed with "RESULT " that bench/run.py reads.

local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *ts);
]]
local ts = ffi.new("bench_timespec")
local function now_us()
   ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
   return tonumber(ts.tv_sec) * 1e6 + tonumber(ts.tv_nsec) / 1e3
end

local OURS = "/api/model_registry/v1alpha3"
local STATEFUL = { list = true, filter = true, register = true }
local MLFLOW = "/api/2.0/mlflow"

local threads = {}
local counter = 0

function setup(thread)
   counter = counter + 1
   thread:set("tid", counter)
   table.insert(threads, thread)
end

local function urlencode(s)
   return (string.gsub(s, "[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local function split(line)
   local fields = {}
   for field in string.gmatch(line, "([^\t]*)\t?") do
      table.insert(fields, field)
   end
   return fields
end

local rows = {}
local phase, target, tag
local limit = 1e12
local done_requests = 0
-- globals, so that done() can read them with thread:get()
app_errors = 0
units = 0
scans = 0

-- multi-step state
local step = 0
local seq = 0
local model_id, model_name, version_id = nil, nil, nil
local token = ""
local filter_value = 0
local body_headers = { ["Content-Type"] = "application/json" }

function init(args)
   phase, target, tag = args[1], args[2], args[4]
   local total = tonumber(args[5] or "0")
   if total and total > 0 then
      limit = math.max(1, math.ceil(total / counter_threads()))
   end
   if args[3] and args[3] ~= "-" then
      for line in io.lines(args[3]) do
         if #line > 0 then table.insert(rows, split(line)) end
      end
   end
   -- The same seed every run: a warm-up run draws the same rows as the measured run after it.
   math.randomseed(tid * 7919)
   filter_value = tid % 10
   if not STATEFUL[phase] then
      response = nil -- wrk then skips parsing responses
      units = nil
   end
end

-- wrk passes the thread count only through setup(); the harness exports it instead.
function counter_threads()
   return tonumber(os.getenv("BENCH_THREADS") or "1")
end

local function pick()
   return rows[math.random(#rows)]
end

-- The customProperties object of version i, without its closing brace (callers may add keys).
local function custom_properties(i)
   return string.format('{"team":{"metadataType":"MetadataStringValue","string_value":"team-%d"},'
      .. '"batch":{"metadataType":"MetadataIntValue","int_value":"%d"},'
      .. '"accuracy":{"metadataType":"MetadataDoubleValue","double_value":%.4f}', i % 10, math.floor(i / 100), 0.5 + (i % 1000) / 2000.0)
end

local requests = {}

function requests.get()
   local r = pick()
   if target == "ours" then
      return wrk.format("GET", OURS .. "/model_versions/" .. r[4])
   end
   return wrk.format("GET", MLFLOW .. "/model-versions/get?name=" .. urlencode(r[3]) .. "&version=" .. r[5])
end

function requests.find()
   local r = pick()
   if target == "ours" then
      return wrk.format("GET", OURS .. "/registered_model?name=" .. urlencode(r[3]))
   end
   return wrk.format("GET", MLFLOW .. "/registered-models/get?name=" .. urlencode(r[3]))
end

local function page_request(filter)
   if target == "ours" then
      local path = OURS .. "/model_versions?pageSize=100"
      if filter then path = path .. "&filterQuery=" .. urlencode("team='team-" .. filter_value .. "'") end
      if token ~= "" then path = path .. "&nextPageToken=" .. urlencode(token) end
      return wrk.format("GET", path)
   end
   local path = MLFLOW .. "/model-versions/search?max_results=100"
   if filter then path = path .. "&filter=" .. urlencode("tags.team = 'team-" .. filter_value .. "'") end
   if token ~= "" then path = path .. "&page_token=" .. urlencode(token) end
   return wrk.format("GET", path)
end

function requests.list() return page_request(false) end
function requests.filter() return page_request(true) end

function requests.update()
   local r = pick()
   seq = seq + 1
   if target == "ours" then
      local i = tonumber(r[1])
      local body = string.format('{"description":"updated %s-%d-%d","customProperties":%s,'
         .. '"reviewed":{"metadataType":"MetadataStringValue","string_value":"%s-%d-%d"}}}',
         tag, tid, seq, custom_properties(i), tag, tid, seq)
      return wrk.format("PATCH", OURS .. "/model_versions/" .. r[4], body_headers, body)
   end
   local body = string.format('{"name":"%s","version":"%s","description":"updated %s-%d-%d"}', r[3], r[5], tag, tid, seq)
   return wrk.format("PATCH", MLFLOW .. "/model-versions/update", body_headers, body)
end

-- A registration: the model, then 3 versions, each (ours) followed by its model artifact.
-- MLflow has no separate artifact entity; a version's `source` is its artifact URI.
function requests.register()
   if step == 0 then
      seq = seq + 1
      model_name = string.format("reg-%s-%d-%d", tag, tid, seq)
      if target == "ours" then
         return wrk.format("POST", OURS .. "/registered_models", body_headers,
            string.format('{"name":"%s","owner":"bench","description":"registered by the benchmark"}', model_name))
      end
      return wrk.format("POST", MLFLOW .. "/registered-models/create", body_headers,
         string.format('{"name":"%s","description":"registered by the benchmark"}', model_name))
   end
   local k = (target == "ours") and (math.floor((step + 1) / 2) - 1) or (step - 1)
   local uri = string.format("s3://bench/%s/v%d", model_name, k)
   if target == "ours" then
      if step % 2 == 1 then
         return wrk.format("POST", OURS .. "/model_versions", body_headers,
            string.format('{"name":"v%d","registeredModelId":"%s","author":"bench","description":"version %d","customProperties":%s}}',
               k, model_id, k, custom_properties(seq * 3 + k)))
      end
      return wrk.format("POST", OURS .. "/model_versions/" .. version_id .. "/artifacts", body_headers,
         string.format('{"artifactType":"model-artifact","name":"artifact","uri":"%s","modelFormatName":"onnx","modelFormatVersion":"1"}', uri))
   end
   return wrk.format("POST", MLFLOW .. "/model-versions/create", body_headers,
      string.format('{"name":"%s","source":"%s","description":"version %d","tags":[{"key":"team","value":"team-%d"}]}',
         model_name, uri, k, (seq * 3 + k) % 10))
end

-- Scale probes: the versions of a random model, the artifacts of a random version, and a
-- custom-property filter that matches exactly 100 versions (batch = i // 100).
function requests.children()
   local r = pick()
   return wrk.format("GET", OURS .. "/registered_models/" .. r[2] .. "/versions?pageSize=100")
end

function requests.artifacts()
   local r = pick()
   return wrk.format("GET", OURS .. "/model_versions/" .. r[4] .. "/artifacts?pageSize=100")
end

function requests.batch()
   local r = pick()
   return wrk.format("GET", OURS .. "/model_versions?pageSize=100&filterQuery="
      .. urlencode("batch=" .. math.floor(tonumber(r[1]) / 100)))
end

function requests.fixed()
   return wrk.format("GET", wrk.path)
end

local pregenerated = {}
local sent = 0

-- globals for done(): when this thread sent its first request and got (stateless: sent) its last.
first_us = 0
last_us = 0

function request()
   if first_us == 0 then first_us = now_us() end
   if STATEFUL[phase] then
      return requests[phase]()
   end
   sent = sent + 1
   last_us = now_us()
   if sent > limit then
      wrk.thread:stop()
   end
   if #pregenerated == 0 then
      local count = (phase == "fixed") and 1 or 2000
      for n = 1, count do pregenerated[n] = requests[phase]() end
   end
   return pregenerated[(sent % #pregenerated) + 1]
end

local function steps_per_unit()
   if phase == "register" then return (target == "ours") and 7 or 4 end
   return 1
end

function response(status, headers, body)
   done_requests = done_requests + 1
   last_us = now_us()
   if status >= 300 then
      app_errors = app_errors + 1
      if app_errors <= 3 then
         io.stderr:write(string.format("[%s %s] HTTP %d: %s\n", phase, target, status, string.sub(body or "", 1, 200)))
      end
      step = 0
      token = ""
   elseif phase == "register" then
      if target == "ours" then
         local id = string.match(body, '"id":"(%d+)"')
         if step == 0 then model_id = id elseif step % 2 == 1 then version_id = id end
      end
      step = step + 1
      if step == steps_per_unit() then
         step = 0
         units = units + 1
      end
   elseif phase == "list" or phase == "filter" then
      local next_token
      if target == "ours" then
         next_token = string.match(body, '"nextPageToken":"([^"]*)"')
      else
         next_token = string.match(body, '"next_page_token":%s*"([^"]*)"')
      end
      token = next_token or ""
      if token == "" then
         scans = scans + 1
         filter_value = (filter_value + 1) % 10
      end
      units = units + 1
   else
      units = units + 1
   end
   if done_requests >= limit and step == 0 then
      wrk.thread:stop()
   end
end

function done(summary, latency, requests_stats)
   local errors, unit_count, scan_count = 0, 0, 0
   -- The span from the first request to the last response of any thread: wrk's own duration
   -- is always -d, even when every thread stopped early at the request limit.
   local started, finished = nil, 0
   for _, thread in ipairs(threads) do
      local first, last = thread:get("first_us") or 0, thread:get("last_us") or 0
      if first > 0 and (started == nil or first < started) then started = first end
      if last > finished then finished = last end
      errors = errors + (thread:get("app_errors") or 0)
      unit_count = unit_count + (thread:get("units") or 0)
      scan_count = scan_count + (thread:get("scans") or 0)
   end
   local e = summary.errors
   if unit_count == 0 then
      unit_count = summary.requests
      errors = errors + e.status
   end
   io.write(string.format(
      'RESULT {"requests":%d,"duration_us":%d,"active_us":%d,"bytes":%d,"units":%d,"scans":%d,"app_errors":%d,'
      .. '"socket_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
      summary.requests, summary.duration, (started and finished > started) and (finished - started) or summary.duration, summary.bytes, unit_count, scan_count, errors,
      e.connect + e.read + e.write, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
