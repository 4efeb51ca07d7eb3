-- wrk script for `make bench`: POST a chat completion request.
--   BENCH_STREAM=1     ask for a stream ("stream":true, no stream_options,
--                      as the SDKs send by default)
--   BENCH_PAD=N        bytes of filler in the user message (default 2000,
--                      a request body of about 2.3 KB)
-- At the end it prints one machine-readable line for tests/bench.sh:
--   BENCH requests=N duration_us=N bytes=N p50_us=N p90_us=N p99_us=N
--         max_us=N mean_us=N connect=N read=N write=N status=N timeout=N

local stream = os.getenv("BENCH_STREAM") == "1"
local pad = tonumber(os.getenv("BENCH_PAD") or "2000") or 2000

local filler = string.rep("lorem ipsum ", math.ceil(pad / 12)):sub(1, pad)

wrk.method = "POST"
wrk.path = "/v1/chat/completions"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk-bench-not-a-real-key"
wrk.body = '{"model":"gpt-4o-mini","messages":[' ..
	'{"role":"system","content":"You are a helpful assistant."},' ..
	'{"role":"user","content":"Say hello. ' .. filler .. '"}],' ..
	'"max_tokens":64' .. (stream and ',"stream":true' or '') .. '}'

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format(
		"BENCH requests=%d duration_us=%d bytes=%d p50_us=%d p90_us=%d " ..
		"p99_us=%d max_us=%d mean_us=%d connect=%d read=%d write=%d " ..
		"status=%d timeout=%d\n",
		summary.requests, summary.duration, summary.bytes,
		latency:percentile(50), latency:percentile(90),
		latency:percentile(99), latency.max, latency.mean,
		e.connect, e.read, e.write, e.status, e.timeout))
end
