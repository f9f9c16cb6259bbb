-- UPS Track Alert pushes for wrk (tests/benchmarks/bench_webhook.py).
--
--   wrk -s wrk_ups_push.lua URL -- OUT MODE NUMBERS AUTHORIZATION API_KEY
--
-- MODE unique: every request is a new push (the next tracking number of the
-- file NUMBERS, one per line, and an activity time no other request of the
-- run uses), so every push is a new inbox message;
-- MODE identical: the same push on every request (what a carrier's retries
-- send), so all but the first are duplicates.
-- Every request carries the headers a Track Alert v2 push carries:
-- "Authorization: Bearer <token from the account's token endpoint>" and
-- "x-api-key: <the account's OAuth client id>"; the bare controller ignores
-- them. The response hook counts answers by status;
-- the done hook writes OUT as JSON: requests, answers per status, socket
-- errors, duration and latency percentiles (microseconds).

local threads = {}

function setup(thread)
   table.insert(threads, thread)
   thread:set("tid", #threads)
end

local template = '{"trackingNumber":"%s","localActivityDate":"%s",'
   .. '"localActivityTime":"%s","activityLocation":{"city":"Atlanta",'
   .. '"stateProvince":"GA","postalCode":"30328","country":"US"},'
   .. '"activityStatus":{"type":"I","code":"AR","description":'
   .. '"Arrived at Facility","descriptionCode":"005"},'
   .. '"scheduledDeliveryDate":"%s","gmtActivityDate":"%s",'
   .. '"gmtActivityTime":"%s"}'

local function push(number, t)
   local day, clock = os.date("!%Y%m%d", t), os.date("!%H%M%S", t)
   return string.format(template, number, day, clock, day, day, clock)
end

function init(args)
   out, mode = args[1], args[2]
   numbers = {}
   for line in io.lines(args[3]) do
      if #line > 0 then table.insert(numbers, line) end
   end
   headers = {
      ["Content-Type"] = "application/json",
      ["User-Agent"] = "UPSPubSubTrackingService",
      ["Authorization"] = args[4],
      ["x-api-key"] = args[5],
   }
   statuses = {}
   counter = 0
   -- activity times in the past, a disjoint range per thread (58 days each)
   base = os.time() - 86400 - (tid or 1) * 5000000
   if mode == "identical" then
      -- one body for every thread (and every run within the hour)
      local hour = math.floor(os.time() / 3600) * 3600 - 86400
      fixed = wrk.format("POST", wrk.path, headers, push(numbers[1], hour))
   end
end

function request()
   if fixed then
      return fixed
   end
   counter = counter + 1
   local number = numbers[(counter % #numbers) + 1]
   return wrk.format("POST", wrk.path, headers, push(number, base - counter))
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local merged = {}
   for _, thread in ipairs(threads) do
      local counts = thread:get("statuses") or {}
      for status, n in pairs(counts) do
         merged[status] = (merged[status] or 0) + n
      end
   end
   local parts = {}
   for status, n in pairs(merged) do
      table.insert(parts, string.format('"%d": %d', status, n))
   end
   local e = summary.errors
   -- init ran in the threads' Lua states only: OUT comes from one of them
   local file = assert(io.open(threads[1]:get("out"), "w"))
   file:write(string.format(
      '{"requests": %d, "duration_us": %d, "statuses": {%s}, '
         .. '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, '
         .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
      summary.requests, summary.duration, table.concat(parts, ", "),
      e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max))
   file:close()
end
