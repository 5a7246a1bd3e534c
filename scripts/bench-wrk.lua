-- The load of every scenario of scripts/bench, for wrk (https://github.com/wg/wrk).
-- Usage: wrk -t2 -c16 -d8s -s scripts/bench-wrk.lua URL -- MODE ARGS…
--
--   fixed  METHOD PATH BODY HEADER…   the same request every time (HEADER is "Name: value")
--   refresh PATH FILE AUTH THREADS    refresh_token grants, each with the refresh token the
--                                     previous answer on this thread returned (rotation);
--                                     FILE holds the first tokens, one per line, shared
--                                     among THREADS threads (at least one per connection)
--   code   AUTHORIZE TOKEN COOKIE AUTH VERIFIER REDIRECT
--                                     GET AUTHORIZE with the session COOKIE, following its
--                                     redirects to the app's code, then POST TOKEN exchanging it
--   flow   AUTHORIZE TOKEN USER PASSWORD AUTH VERIFIER REDIRECT
--                                     a person's whole sign-in, one step per request: the
--                                     authorization request, the login form (argon2), the
--                                     code and its exchange; run with as many threads as
--                                     connections (-tN -cN): each thread is one browser
--
-- done() prints one JSON line: requests, seconds, latency percentiles (ms), wrk's error
-- counts, `units` (completed exchanges or sign-ins for code/flow, requests otherwise) and
-- `unexpected` (answers of the wrong status or without what the next step needs).

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local mode
local args
units = 0
unexpected = 0

local function split_header(h)
  local name, value = h:match("^([^:]+):%s*(.*)$")
  return name, value
end

local function header(headers, name)
  for k, v in pairs(headers) do
    if k:lower() == name then return v end
  end
  return nil
end

local function form(fields)
  local parts = {}
  for _, kv in ipairs(fields) do
    table.insert(parts, kv[1] .. "=" .. kv[2]:gsub("[^%w%-%._~]", function(c)
      return string.format("%%%02X", string.byte(c))
    end))
  end
  return table.concat(parts, "&")
end

-- fixed ------------------------------------------------------------------------------------
local fixed_request

-- refresh ----------------------------------------------------------------------------------
local tokens = {}

-- code -------------------------------------------------------------------------------------
local codes = {}
local continuations = {}

-- flow -------------------------------------------------------------------------------------
local step, cookies, csrf, next_url, location

local function cookie_header()
  local parts = {}
  for k, v in pairs(cookies) do table.insert(parts, k .. "=" .. v) end
  return table.concat(parts, "; ")
end

local function keep_cookies(headers)
  for k, v in pairs(headers) do
    if k:lower() == "set-cookie" then
      -- Several cookies may share one header value: take every name=value but attributes.
      for name, value in v:gmatch("([%w_%-%.]+)=([^;,]*)") do
        local lname = name:lower()
        if lname ~= "path" and lname ~= "max-age" and lname ~= "expires" and lname ~= "samesite"
          and lname ~= "domain" then
          cookies[name] = value
        end
      end
    end
  end
end

local function url_decode(text)
  return (text:gsub("+", " "):gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

local function code_of(loc)
  return loc and loc:match("[?&]code=([^&]+)")
end

local function path_of(loc)
  if not loc then return nil end
  return loc:gsub("^https?://[^/]+", "")
end

function init(argv)
  args = argv
  mode = argv[1]
  if mode == "fixed" then
    local headers = {}
    for i = 5, #argv do
      local name, value = split_header(argv[i])
      headers[name] = value
    end
    fixed_request = wrk.format(argv[2], argv[3], headers, argv[4] ~= "" and argv[4] or nil)
  elseif mode == "refresh" then
    -- Each thread takes every n-th token of the file, n = THREADS.
    local n, i = tonumber(argv[5]), 0
    for line in io.lines(argv[3]) do
      if line ~= "" then
        if i % n == id then table.insert(tokens, line) end
        i = i + 1
      end
    end
  elseif mode == "flow" then
    step = "start"
    cookies = {}
  end
end

-- The token request exchanging `code` (with PKCE) as the client whose Basic header is `auth`.
local function exchange(path, auth, code, verifier, redirect)
  return wrk.format("POST", path, {
    ["Authorization"] = auth,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, "grant_type=authorization_code&code=" .. code .. "&redirect_uri=" .. redirect .. "&code_verifier=" .. verifier)
end

function request()
  if mode == "fixed" then
    return fixed_request
  elseif mode == "refresh" then
    local token = table.remove(tokens, 1)
    if not token then
      unexpected = unexpected + 1
      token = "none"
    end
    return wrk.format("POST", args[2], {
      ["Authorization"] = args[4],
      ["Content-Type"] = "application/x-www-form-urlencoded",
    }, form({ { "grant_type", "refresh_token" }, { "refresh_token", token } }))
  elseif mode == "code" then
    local code = table.remove(codes, 1)
    if code then
      return exchange(args[3], args[5], code, args[6], args[7])
    end
    local continuation = table.remove(continuations, 1)
    return wrk.format("GET", continuation or args[2], { ["Cookie"] = args[4] })
  elseif mode == "flow" then
    if step == "start" then
      cookies = {}
      return wrk.format("GET", args[2])
    elseif step == "follow" then
      return wrk.format("GET", location, { ["Cookie"] = cookie_header() })
    elseif step == "login" then
      return wrk.format("POST", "/login", {
        ["Cookie"] = cookie_header(),
        ["Content-Type"] = "application/x-www-form-urlencoded",
      }, form({ { "csrf", csrf }, { "login", args[4] }, { "password", args[5] }, { "next", next_url } }))
    elseif step == "exchange" then
      return exchange(args[3], args[6], location, args[7], args[8])
    end
  end
end

local function flow_response(status, headers, body)
  if step == "exchange" then
    if status == 200 and body:find('"access_token"', 1, true) then
      units = units + 1
    else
      unexpected = unexpected + 1
    end
    step = "start"
    return
  end
  keep_cookies(headers)
  if status == 302 or status == 303 then
    local loc = header(headers, "location")
    local code = code_of(loc)
    if code and loc:find(args[8]:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end), 1, true) == 1 then
      location = code
      step = "exchange"
    else
      location = path_of(loc)
      step = location and "follow" or "start"
      if not location then unexpected = unexpected + 1 end
      local next_param = location and location:match("^/login%?.*next=([^&]+)")
      if next_param then next_url = url_decode(next_param) end
    end
  elseif status == 200 and body:find('name="csrf"', 1, true) and body:find('name="password"', 1, true) then
    csrf = body:match('name="csrf" value="([^"]+)"')
    step = "login"
  else
    unexpected = unexpected + 1
    step = "start"
  end
end

function response(status, headers, body)
  if mode == "fixed" then
    if status >= 400 then unexpected = unexpected + 1 end
  elseif mode == "refresh" then
    local next_token = body:match('"refresh_token"%s*:%s*"([^"]+)"')
    if status == 200 and next_token then
      table.insert(tokens, next_token)
      units = units + 1
    else
      unexpected = unexpected + 1
    end
  elseif mode == "code" then
    if status == 302 or status == 303 then
      local loc = header(headers, "location")
      local code = code_of(loc)
      if code then
        table.insert(codes, code)
      elseif loc and loc:find("^/authorize") then
        table.insert(continuations, loc)
      else
        unexpected = unexpected + 1
      end
    elseif status == 200 and body:find('"access_token"', 1, true) then
      units = units + 1
    else
      unexpected = unexpected + 1
    end
  elseif mode == "flow" then
    flow_response(status, headers, body)
  end
end

function done(summary, latency, requests)
  local total_units, total_unexpected = 0, 0
  for _, t in ipairs(threads) do
    total_units = total_units + (t:get("units") or 0)
    total_unexpected = total_unexpected + (t:get("unexpected") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50_ms": %.3f, "p99_ms": %.3f, "connect_errors": %d, ' ..
    '"read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d, "units": %d, ' ..
    '"unexpected": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, e.connect, e.read, e.write, e.status, e.timeout,
    total_units, total_unexpected))
end
