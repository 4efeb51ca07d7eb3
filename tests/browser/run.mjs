// Browser tests for the dashboard (htdocs/): a real LLMFlow (./llmflow under
// lighttpd) on free ports with a temporary DATA_DIR, a fake OpenAI upstream
// in this process, a seeded database, and Debian's Chromium driven by
// playwright-core.  Prints "ok - NAME" / "not ok - NAME: reason" per check and
// "# skipped: NAME (needs /api/...)" for checks whose endpoint the API does
// not answer yet (a skip is not a pass).  Exits non-zero on any failure.
//
//   node tests/browser/run.mjs            run the checks
//   node tests/browser/run.mjs --serve    start, seed, print the URLs, wait (Ctrl-C stops)
//
// Environment:
//   BIN                  directory with llmflow-proxy and llmflow-api (default cgi-bin), relative to the repo
//   CHROMIUM             browser binary (default /usr/bin/chromium)
//   SCREENSHOT_DIR       where screenshots go (default build/screenshots)
//   LLMFLOW_BROWSER_BIG  rows for the large-database check (default 1000000; 0 skips it)
//   LLMFLOW_BROWSER_ONLY  run only the checks whose name contains this
//   LLMFLOW_TEST_KEEP=1  keep the temporary directory
//   LLMFLOW_TEST_VERBOSE=1  print lighttpd's output

import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, "..", "..");
const BIN = path.resolve(REPO, process.env.BIN || "cgi-bin");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const SHOTS = path.resolve(REPO, process.env.SCREENSHOT_DIR || "build/screenshots");
// Waits stretch under a sanitizer build, whose programs run several
// times slower; what is checked stays the same.
const SLOW = process.env.SANITIZE === "1" ? 4 : 1;
// Speed is measured, not asserted: every check that times something
// prints "# timing NAME: N ms (aim: under M ms)"; `make bench` collects
// these lines.  A test fails on what the page does,
// never on how fast a shared machine happened to be.
function timing(name, ms, aim) {
	console.log(`# timing ${name}: ${Math.round(ms)} ms (aim: under ${aim} ms)`);
}
const BIG_ROWS = Number(process.env.LLMFLOW_BROWSER_BIG ?? 1000000);
const SERVE = process.argv.includes("--serve");
const XSS = "<img src=x onerror=alert(1)>";
const BIG_SPANS = 5000;

// ------------------------------------------------------------ small helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.unref();
		s.on("error", reject);
		s.listen(0, "127.0.0.1", () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

function httpReq(port, method, p, body, headers = {}) {
	return new Promise((resolve, reject) => {
		const data = body == null ? null : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
		const h = { ...headers };
		if (data) {
			h["Content-Type"] = h["Content-Type"] || "application/json";
			h["Content-Length"] = data.length;
		}
		const r = http.request({ host: "127.0.0.1", port, method, path: p, headers: h }, (res) => {
			const chunks = [];
			res.on("data", (c) => chunks.push(c));
			res.on("end", () => {
				const text = Buffer.concat(chunks).toString();
				let json = null;
				try { json = JSON.parse(text); } catch { /* not JSON */ }
				resolve({ status: res.statusCode, text, json });
			});
		});
		r.setTimeout(30000, () => r.destroy(new Error("timeout")));
		r.on("error", reject);
		if (data) r.write(data);
		r.end();
	});
}

const sq = (v) => (v == null ? "NULL" : typeof v === "number" ? String(v) : "'" + String(v).replace(/'/g, "''") + "'");
const hex = (n) => Array.from({ length: n }, () => "0123456789abcdef"[Math.floor(Math.random() * 16)]).join("");

// Rows are written with Python's sqlite3 module (python3 is already a test
// dependency; the API opens the database read-only, the proxy writes its
// own rows, WAL lets all three share it).  Each transaction begins
// IMMEDIATE: a deferred one that has read (the search index's virtual
// table reads its configuration when the first INSERT is prepared) gets
// SQLITE_BUSY at once, without waiting, if the proxy commits in between.
function runSql(db, sql) {
	const r = spawnSync("python3", [path.join(REPO, "tests", "browser", "runsql.py"), db],
	{ input: sql, encoding: "utf8", maxBuffer: 1 << 26 });
	if (r.status !== 0) throw new Error("seeding failed: " + (r.stderr || r.error));
}

// ------------------------------------------------------------ fake upstream

// Enough of OpenAI's chat completions API: echoes the model, answers with
// fixed usage (X-Fake-Prompt-Tokens / X-Fake-Completion-Tokens), streams
// when asked, X-Fake-Status: N answers an error.
function startFake() {
	const srv = http.createServer((req, res) => {
		const chunks = [];
		req.on("data", (c) => chunks.push(c));
		req.on("end", async () => {
			let body = {};
			try { body = JSON.parse(Buffer.concat(chunks).toString() || "{}"); } catch { /* keep {} */ }
			const st = Number(req.headers["x-fake-status"] || 0);
			const pt = Number(req.headers["x-fake-prompt-tokens"] || 120);
			const ct = Number(req.headers["x-fake-completion-tokens"] || 40);
			const delay = Number(req.headers["x-fake-delay-ms"] || 0);
			if (delay) await sleep(delay);
			const model = body.model || "gpt-4o-mini";
			if (st >= 400) {
				res.writeHead(st, { "Content-Type": "application/json" });
				res.end(JSON.stringify({ error: { message: "fake upstream error", type: "server_error", code: null } }));
				return;
			}
			const usage = { prompt_tokens: pt, completion_tokens: ct, total_tokens: pt + ct };
			const text = "The capital of France is Paris.";
			if (body.stream) {
				res.writeHead(200, { "Content-Type": "text/event-stream" });
				const base = { id: "chatcmpl-fake", object: "chat.completion.chunk", created: 1700000000, model };
				const send = (o) => res.write("data: " + JSON.stringify(o) + "\n\n");
				send({ ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] });
				for (const w of text.split(" ")) {
					await sleep(15);
					send({ ...base, choices: [{ index: 0, delta: { content: w + " " }, finish_reason: null }] });
				}
				send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] });
				if (body.stream_options && body.stream_options.include_usage) send({ ...base, choices: [], usage });
				res.end("data: [DONE]\n\n");
				return;
			}
			res.writeHead(200, { "Content-Type": "application/json" });
			res.end(JSON.stringify({
				id: "chatcmpl-fake", object: "chat.completion", created: 1700000000, model,
				choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
				usage,
			}));
		});
	});
	return new Promise((resolve) => srv.listen(0, "127.0.0.1", () => resolve(srv)));
}

// ------------------------------------------------------------ LLMFlow

async function startLLMFlow(upstreamPort) {
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "llmflow-browser-"));
	const proxyPort = await freePort();
	const dashPort = await freePort();
	const env = {};
	for (const [k, v] of Object.entries(process.env)) {
		if (k.startsWith("LLMFLOW_") || ["PROXY_PORT", "DASHBOARD_PORT", "DATA_DIR", "DB_PATH", "OPENAI_API_KEY", "PRICING_FILE"].includes(k)) continue;
		env[k] = v;
	}
	Object.assign(env, {
		PROXY_PORT: String(proxyPort),
		DASHBOARD_PORT: String(dashPort),
		LLMFLOW_BIND: "127.0.0.1",
		DATA_DIR: tmp,
		LLMFLOW_CGI_BIN: BIN,
		LLMFLOW_UPSTREAM_OPENAI: "http://127.0.0.1:" + upstreamPort,
		OPENAI_API_KEY: "sk-browser-test-0123456789",
	});
	const log = fs.openSync(path.join(tmp, "lighttpd.log"), "a");
	const proc = spawn("./llmflow", [], {
		cwd: REPO, env, detached: true,
		stdio: ["ignore", process.env.LLMFLOW_TEST_VERBOSE ? "inherit" : log, process.env.LLMFLOW_TEST_VERBOSE ? "inherit" : log],
	});
	let exited = null;
	proc.on("exit", (code) => { exited = code; });
	const t0 = Date.now();
	for (;;) {
		if (exited !== null) throw new Error("llmflow exited with " + exited + ": " + fs.readFileSync(path.join(tmp, "lighttpd.log"), "utf8").slice(-2000));
		try {
			const r = await httpReq(dashPort, "GET", "/api/health");
			if (r.status === 200) break;
		} catch { /* not up yet */ }
		if (Date.now() - t0 > 15000) throw new Error("llmflow did not answer /api/health within 15 s");
		await sleep(100);
	}
	return {
		tmp, proxyPort, dashPort, db: path.join(tmp, "data.db"),
		stop() {
			try { process.kill(-proc.pid, "SIGTERM"); } catch { /* gone */ }
		},
		wait() { return new Promise((r) => (exited !== null ? r() : proc.on("exit", r))); },
	};
}

// ------------------------------------------------------------ seed data

function chat(lf, model, headers = {}, extra = {}) {
	return httpReq(lf.proxyPort, "POST", "/v1/chat/completions", {
		model,
		messages: [
			{ role: "system", content: "You are terse." },
			{ role: "user", content: "What is the capital of France?" },
		],
		...extra,
	}, headers);
}

// Everything the checks look for; returns what was seeded.
async function seed(lf) {
	const S = { agentTrace: hex(32), agentRoot: hex(16), xssSpan: hex(16), toolSpan: hex(16), followTrace: hex(32), followRoot: hex(16), bigTrace: hex(32), bigRoot: hex(16), session: "sess-" + hex(8) };
	// LLM calls through the proxy: the honest path.
	const calls = [
		["gpt-4o-mini", { "X-LLMFlow-Tag": "env:test, user:alice" }],
		["gpt-4o-mini", { "X-LLMFlow-Tag": "env:test, user:bob" }],
		["gpt-4o-mini", {}],
		["gpt-4o", { "X-LLMFlow-Tag": "env:prod", "X-Fake-Prompt-Tokens": "2400", "X-Fake-Completion-Tokens": "610" }],
		["gpt-4o", { "X-Fake-Delay-Ms": "120" }],
		["local-llama-7b", {}],
		["gpt-4o-mini", { "X-Fake-Status": "500" }],
	];
	for (const [m, h] of calls) {
		const r = await chat(lf, m, h);
		if (m !== "gpt-4o-mini" || !h["X-Fake-Status"]) {
			if (r.status !== 200) throw new Error("seed call " + m + " got " + r.status + ": " + r.text.slice(0, 200));
		}
	}
	const rs = await chat(lf, "gpt-4o-mini", { "X-LLMFlow-Tag": "stream" }, { stream: true });
	if (rs.status !== 200) throw new Error("seed stream call got " + rs.status);
	// One proxied call inside the agent trace, under the XSS-named span; the
	// agent's spans are placed around the time it is made.
	const callAt = Date.now();
	await chat(lf, "gpt-4o-mini", { traceparent: `00-${S.agentTrace}-${S.xssSpan}-01`, "X-Fake-Delay-Ms": "300" });

	// Spans, logs and metrics, written directly (OTLP ingest is another issue).
	const now = Date.now();
	const rows = [];
	const span = (o) => rows.push(o);
	const t = callAt - 1200;
	const msgs = JSON.stringify([{ role: "system", content: "You plan research." }, { role: "user", content: "Summarise " + XSS }]);
	span({ id: S.agentRoot, trace_id: S.agentTrace, parent_id: null, timestamp: t, duration_ms: 4200, span_type: "agent", span_name: "research-agent", service_name: "demo-agent", session_id: S.session, agent_name: "researcher", status: 200, attributes: JSON.stringify({ "agent.goal": "answer " + XSS, "gen_ai.system": "openai" }), tags: JSON.stringify(["env:test", XSS]) });
	span({ id: hex(16), trace_id: S.agentTrace, parent_id: S.agentRoot, timestamp: t + 50, duration_ms: 900, span_type: "chain", span_name: "plan", service_name: "demo-agent", session_id: S.session, status: 200 });
	span({ id: S.xssSpan, trace_id: S.agentTrace, parent_id: S.agentRoot, timestamp: t + 1000, duration_ms: 1800, ttft_ms: 420, span_type: "llm", span_name: XSS, model: "gpt-4o", provider: "openai", prompt_tokens: 900, completion_tokens: 300, total_tokens: 1200, cached_tokens: 256, reasoning_tokens: 64, estimated_cost: 0.00525, cost_source: "computed", service_name: "demo-agent", session_id: S.session, status: 200, input: msgs, output: JSON.stringify({ role: "assistant", content: "Here is the summary." }) });
	// The tool span links to the follow-up trace's root (an OTLP span link).
	span({ id: S.toolSpan, trace_id: S.agentTrace, parent_id: S.agentRoot, timestamp: t + 2900, duration_ms: 600, span_type: "tool", span_name: "web_search", service_name: "demo-agent", session_id: S.session, status: 200, input: JSON.stringify({ query: "paris population" }), output: JSON.stringify({ results: 3 }), links: JSON.stringify([{ trace_id: S.followTrace, span_id: S.followRoot, trace_state: "vendor=" + XSS, attributes: { "link.reason": XSS } }]) });
	span({ id: hex(16), trace_id: S.agentTrace, parent_id: S.agentRoot, timestamp: t + 3550, duration_ms: 500, span_type: "retrieval", span_name: "vector lookup", service_name: "demo-agent", session_id: S.session, status: 500, error: "index unavailable" });
	// A second trace in the same session.
	const t2 = S.followTrace, r2 = S.followRoot;
	span({ id: r2, trace_id: t2, parent_id: null, timestamp: now - 40 * 1000, duration_ms: 1500, span_type: "agent", span_name: "follow-up", service_name: "demo-agent", session_id: S.session, status: 200 });
	span({ id: hex(16), trace_id: t2, parent_id: r2, timestamp: now - 40 * 1000 + 100, duration_ms: 1300, span_type: "llm", span_name: "chat claude", model: "claude-3-5-sonnet-20241022", provider: "anthropic", prompt_tokens: 500, completion_tokens: 200, total_tokens: 700, estimated_cost: 0.0045, cost_source: "computed", service_name: "demo-agent", session_id: S.session, status: 200 });
	// History for the Analytics tab: calls over the last 12 days.
	const hist = [["gpt-4o-mini", "openai", 0.0003], ["gpt-4o", "openai", 0.012], ["claude-3-5-sonnet-20241022", "anthropic", 0.009]];
	for (let d = 1; d <= 12; d++) {
		for (let i = 0; i < (d % 4) + 2; i++) {
			const [m, p, c] = hist[(d + i) % 3];
			const pt = 300 + 97 * d + 13 * i, ct = 80 + 31 * i;
			span({ id: hex(16), trace_id: hex(32), parent_id: null, timestamp: now - d * 86400000 - i * 3600000, duration_ms: 700 + 50 * i, span_type: "llm", span_name: "chat " + m, model: m, provider: p, prompt_tokens: pt, completion_tokens: ct, total_tokens: pt + ct, estimated_cost: c, cost_source: "computed", service_name: i % 2 ? "batch-job" : null, status: 200 });
		}
	}
	// A 5,000-span trace, nested up to six levels, an hour ago.
	const bt = now - 3600 * 1000;
	span({ id: S.bigRoot, trace_id: S.bigTrace, parent_id: null, timestamp: bt, duration_ms: 60000, span_type: "agent", span_name: "big-batch", service_name: "load-test", status: 200 });
	const stack = [{ id: S.bigRoot, ts: bt, end: bt + 60000, depth: 0 }];
	const types = ["chain", "llm", "tool", "retrieval", "embedding", "custom"];
	let seedRand = 7;
	const rnd = () => ((seedRand = (seedRand * 1103515245 + 12345) % 2147483648) / 2147483648);
	for (let i = 1; i < BIG_SPANS; i++) {
		const parent = stack[Math.floor(rnd() * stack.length)];
		const ts = parent.ts + Math.floor(rnd() * Math.max(1, parent.end - parent.ts - 10));
		const dur = Math.max(1, Math.floor(rnd() * (parent.end - ts)));
		const id = hex(16);
		const type = types[i % types.length];
		span({ id, trace_id: S.bigTrace, parent_id: parent.id, timestamp: ts, duration_ms: dur, span_type: type, span_name: type + " step " + i, service_name: "load-test", status: 200, model: type === "llm" ? "gpt-4o-mini" : null, provider: type === "llm" ? "openai" : null, ttft_ms: type === "llm" ? Math.floor(dur / 3) : null, prompt_tokens: type === "llm" ? 40 : null, completion_tokens: type === "llm" ? 10 : null, total_tokens: type === "llm" ? 50 : null, estimated_cost: type === "llm" ? 0.000012 : null, cost_source: type === "llm" ? "computed" : null });
		if (parent.depth < 6 && stack.length < 400) stack.push({ id, ts, end: ts + dur, depth: parent.depth + 1 });
	}
	const cols = ["id", "trace_id", "parent_id", "timestamp", "duration_ms", "ttft_ms", "span_type", "span_name", "model", "provider", "prompt_tokens", "completion_tokens", "total_tokens", "cached_tokens", "reasoning_tokens", "estimated_cost", "cost_source", "service_name", "session_id", "agent_name", "status", "error", "input", "output", "attributes", "tags", "links"];
	let sql = "BEGIN IMMEDIATE;\n";
	for (const r of rows) sql += `INSERT INTO traces(${cols.join(",")}) VALUES(${cols.map((c) => sq(c === "cost_source" ? r[c] || "unknown" : r[c])).join(",")});\n`;
	// Logs.
	const sev = [[9, "INFO"], [13, "WARN"], [17, "ERROR"], [5, "DEBUG"]];
	for (let i = 0; i < 24; i++) {
		const [sn, stxt] = sev[i % 4];
		const svc = ["demo-agent", "api-gateway", "batch-job"][i % 3];
		const ev = ["request.start", "tool.call", "cache.miss", "retry"][i % 4];
		const body = i === 3 ? "user said " + XSS : `${ev} handled in ${10 + i * 7} ms`;
		sql += `INSERT INTO logs(id,timestamp,observed_timestamp,severity_number,severity_text,body,trace_id,span_id,event_name,service_name,scope_name,attributes,resource_attributes) VALUES(${[hex(16), now - i * 150000, now - i * 150000, sn, stxt, body, i < 4 ? S.agentTrace : null, i < 4 ? S.agentRoot : null, ev, svc, "demo.scope", JSON.stringify({ attempt: i % 3, "http.route": "/v1/chat" }), JSON.stringify({ "service.name": svc, "host.name": "devbox" })].map(sq).join(",")});\n`;
	}
	// Metrics: a counter, a gauge and a histogram over the last two hours.
	for (let i = 0; i < 24; i++) {
		const ts = now - i * 300000;
		for (const svc of ["demo-agent", "batch-job"]) {
			sql += `INSERT INTO metrics(id,timestamp,name,description,unit,metric_type,value_int,value_double,histogram_data,service_name,scope_name,attributes,resource_attributes) VALUES(${[hex(16), ts, "gen_ai.client.token.usage", "Tokens used", "{token}", "sum", 400 + ((i * 37) % 300) + (svc === "batch-job" ? 200 : 0), null, null, svc, "demo.scope", JSON.stringify({ "gen_ai.token.type": "input" }), "{}"].map(sq).join(",")});\n`;
		}
		sql += `INSERT INTO metrics(id,timestamp,name,description,unit,metric_type,value_int,value_double,histogram_data,service_name,scope_name,attributes,resource_attributes) VALUES(${[hex(16), ts, "process.memory.usage", "Resident memory", "By", "gauge", null, 180e6 + ((i * 7919) % 40) * 1e6, null, "demo-agent", "demo.scope", "{}", "{}"].map(sq).join(",")});\n`;
		sql += `INSERT INTO metrics(id,timestamp,name,description,unit,metric_type,value_int,value_double,histogram_data,service_name,scope_name,attributes,resource_attributes) VALUES(${[hex(16), ts, "gen_ai.client.operation.duration", "Call duration", "s", "histogram", 12, 9.5 + (i % 5), JSON.stringify({ count: 12, sum: 9.5 + (i % 5), min: 0.2, max: 2.1, bucketCounts: [1, 4, 5, 2], explicitBounds: [0.25, 0.5, 1], exemplars: i === 0 ? [{ time: ts, value: 1.8, trace_id: S.agentTrace, span_id: S.xssSpan, attributes: {} }] : undefined }), "demo-agent", "demo.scope", "{}", "{}"].map(sq).join(",")});\n`;
	}
	sql += "COMMIT;\n";
	runSql(lf.db, sql);
	return S;
}

// Adds `n` plain LLM rows (for the large-database check), older than the
// rest, with one SQL statement.
function seedBig(db, n) {
	const now = Date.now();
	runSql(db, `BEGIN IMMEDIATE;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i < ${n})
INSERT INTO traces(id,trace_id,timestamp,duration_ms,span_type,span_name,model,provider,prompt_tokens,completion_tokens,total_tokens,estimated_cost,cost_source,status)
SELECT printf('big%013x', i), printf('bigt%028x', i), ${now - 20 * 86400000} - i * 1000, 300 + (i % 900), 'llm', 'chat',
  CASE i % 3 WHEN 0 THEN 'gpt-4o-mini' WHEN 1 THEN 'gpt-4o' ELSE 'claude-3-5-haiku' END, 'openai',
  100 + (i % 50), 20 + (i % 30), 120 + (i % 50) + (i % 30), 0.0001, 'computed', CASE WHEN i % 50 = 0 THEN 500 ELSE 200 END FROM c;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
ANALYZE;`);
}

// ------------------------------------------------------------ the checks

// Every check names the endpoints it needs; one the API answers 404 for is
// skipped with a printed reason.  To enable a check, nothing needs to change
// here: it runs as soon as its endpoints exist.
const ENDPOINTS = {
	traces: "/api/traces?limit=1",
	stats: "/api/stats",
	tree: null, // filled in once an id is known: /api/traces/<id>/tree
	logs: "/api/logs?limit=1",
	metrics: "/api/metrics?limit=1",
	metricsSummary: "/api/metrics/summary",
	sessions: "/api/sessions?limit=1",
	models: "/api/models",
	timeline: "/api/timeline?limit=1",
	analytics: "/api/analytics/daily?days=7",
	tokenTrends: "/api/analytics/token-trends?days=7",
	costByModel: "/api/analytics/cost-by-model?days=7",
	// An API that does not know a filter ignores it: ask for a value that
	// matches nothing and expect no rows.
	spanTypeFilter: "/api/traces?limit=1&span_type=zz-llmflow-probe",
};
const EXPECT_EMPTY = new Set(["spanTypeFilter"]);
// Further endpoints the page asks for; a 404 from one the server does not
// have yet is expected and not counted as a console error.
const PAGE_ENDPOINTS = ["/api/analytics/cost-by-tool?days=7", "/api/logs/filters", "/api/metrics/filters", "/api/timeline?limit=1",
	"/api/sessions/x", "/api/logs/x", "/api/metrics?aggregation=summary"];

const checks = [];
const check = (name, needs, fn) => checks.push({ name, needs, fn });

let passed = 0, failed = 0, skipped = 0;

async function main() {
	if (!fs.existsSync(CHROMIUM)) throw new Error(CHROMIUM + " not found (apt-get install chromium)");
	const fake = await startFake();
	const lf = await startLLMFlow(fake.address().port);
	const cleanup = () => {
		lf.stop();
		fake.close();
		if (!process.env.LLMFLOW_TEST_KEEP) fs.rmSync(lf.tmp, { recursive: true, force: true });
	};
	for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => { cleanup(); process.exit(130); });
	let S;
	try {
		S = await seed(lf);
	} catch (e) {
		cleanup();
		throw e;
	}
	const base = `http://127.0.0.1:${lf.dashPort}`;
	if (SERVE) {
		console.log(`dashboard ${base}\nproxy     http://127.0.0.1:${lf.proxyPort}/v1\ndata      ${lf.tmp}\nagent trace root span ${S.agentRoot}, big trace root ${S.bigRoot}`);
		await new Promise(() => {});
	}
	const have = {};
	ENDPOINTS.tree = `/api/traces/${S.agentRoot}/tree`;
	for (const [k, p] of Object.entries(ENDPOINTS)) {
		const r = await httpReq(lf.dashPort, "GET", p);
		have[k] = r.status === 200 && (!EXPECT_EMPTY.has(k) || (Array.isArray(r.json) && r.json.length === 0));
	}
	const missing = Object.keys(have).filter((k) => !have[k] && !EXPECT_EMPTY.has(k)).map((k) => ENDPOINTS[k].split("?")[0]);
	for (const p of PAGE_ENDPOINTS) {
		const r = await httpReq(lf.dashPort, "GET", p);
		if (r.status === 404 && r.json && r.json.error === "Not Found") missing.push(p.split("?")[0].replace(/\/x$/, "/"));
	}

	const { chromium } = await import("playwright-core");
	const browser = await chromium.launch({
		executablePath: CHROMIUM,
		args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
	});
	try {
		await runChecks({ browser, base, lf, S, have, missing });
	} finally {
		await browser.close();
		cleanup();
	}
}

async function runChecks(env) {
	const only = process.env.LLMFLOW_BROWSER_ONLY;
	for (const c of checks) {
		if (only && !c.name.includes(only)) continue;
		const need = c.needs.filter((n) => !env.have[n]);
		if (need.includes("big")) {
			console.log(`# skipped: ${c.name} (LLMFLOW_BROWSER_BIG=0)`);
			skipped++;
			continue;
		}
		if (need.length) {
			console.log(`# skipped: ${c.name} (needs ${need.map((n) => n === "spanTypeFilter" ? "/api/traces?span_type=" : ENDPOINTS[n].split("?")[0].replace(/\/[0-9a-f]{16}\//, "/:id/")).join(", ")})`);
			skipped++;
			continue;
		}
		const t0 = Date.now();
		try {
			await c.fn(env);
			console.log(`ok - ${c.name} (${Date.now() - t0} ms)`);
			passed++;
		} catch (e) {
			const at = String(e && e.stack || "").match(/run\.mjs:(\d+)/);
			console.log(`not ok - ${c.name}: ${String(e && e.message || e).split("\n")[0]}${at ? " (run.mjs line " + at[1] + ")" : ""}`);
			if (process.env.LLMFLOW_TEST_VERBOSE && e.stack) console.log(e.stack);
			failed++;
		}
	}
}

// A fresh page with error collection.  Console errors for endpoints the API
// does not have yet (404s the page expects) are not counted.
async function openPage(env, opts = {}) {
	const ctx = await env.browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: opts.colorScheme || "light" });
	const page = await ctx.newPage();
	page.errors = [];
	page.dialogs = [];
	page.on("pageerror", (e) => page.errors.push("pageerror: " + e.message));
	page.on("console", (m) => {
		if (m.type() !== "error") return;
		const url = (m.location() && m.location().url) || "";
		const path = url.replace(/^https?:\/\/[^/]+/, "").split("?")[0];
		if (/status of 404/.test(m.text()) && env.missing.some((p) => (p.endsWith("/tree") ? /^\/api\/traces\/[^/]+\/tree$/.test(path) : p.endsWith("/") ? path.startsWith(p) : path === p))) return;
		page.errors.push("console: " + m.text() + (url ? " (" + url + ")" : ""));
	});
	page.on("dialog", (d) => { page.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
	page.ctx = ctx;
	return page;
}

async function closePage(page) {
	const errs = page.errors.slice();
	await page.ctx.close();
	if (errs.length) throw new Error("console errors: " + errs.join(" | "));
}

function assert(cond, msg) {
	if (!cond) throw new Error(msg);
}

async function waitText(page, selector, text, timeout = 5000) {
	await page.waitForFunction(([s, t]) => {
		const e = document.querySelector(s);
		return e && e.textContent.includes(t);
	}, [selector, text], { timeout }).catch(() => { throw new Error(`"${text}" did not appear in ${selector}`); });
}

const rowsSel = "#view table.list tbody tr[data-id]";

// ---------------------------------------------------------------- checks

check("sources use no innerHTML, no eval, no inline script", [], async () => {
	const dir = path.join(REPO, "htdocs");
	for (const f of fs.readdirSync(dir).filter((f) => /\.(js|html)$/.test(f))) {
		const s = fs.readFileSync(path.join(dir, f), "utf8");
		assert(!/\.innerHTML\s*[+]?=|outerHTML\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(/.test(s), f + " builds HTML from strings");
		if (f.endsWith(".html")) {
			assert(!/<script(?![^>]*\bsrc=)[^>]*>/.test(s), f + " has an inline script");
			assert(!/\son[a-z]+=/.test(s), f + " has an inline event handler");
			assert(!/\sstyle=/.test(s), f + " has a style attribute");
			assert(!/https?:\/\//.test(s.replace(/http:\/\/www\.w3\.org[^"]*/g, "")), f + " loads something from another origin");
		}
	}
	assert(fs.existsSync(path.join(dir, "vendor", "chart.js")), "htdocs/vendor/chart.js is missing (make copies it from libjs-chart.js)");
});

check("header shows the seeded totals", ["stats"], async (env) => {
	const page = await openPage(env);
	await page.goto(env.base + "/#traces");
	const stats = (await httpReq(env.lf.dashPort, "GET", "/api/stats")).json;
	await page.waitForFunction((n) => document.querySelector("#stat-traces")?.textContent.replace(/\D/g, "") === String(n), stats.total_requests, { timeout: 5000 * SLOW })
		.catch(() => { throw new Error("traces total is not " + stats.total_requests); });
	const tokens = await page.textContent("#stat-tokens");
	const cost = await page.textContent("#stat-cost");
	const lat = await page.textContent("#stat-latency");
	assert(/\d/.test(tokens), "tokens total empty: " + tokens);
	assert(/\$\d/.test(cost), "cost total is not in dollars: " + cost);
	assert(/unpriced/i.test(cost), "unpriced calls are not shown as such: " + cost);
	assert(/\d\s*(ms|s)/.test(lat), "avg latency empty: " + lat);
	const dot = await page.getAttribute("#live", "data-state");
	assert(dot === "live", "live dot is " + dot);
	await closePage(page);
});

check("traces tab lists the seeded calls with model, tokens, cost, status", ["traces"], async (env) => {
	const page = await openPage(env);
	await page.goto(env.base + "/#traces");
	await page.waitForSelector(rowsSel, { timeout: 5000 * SLOW });
	const text = await page.textContent("#view table.list tbody");
	for (const m of ["gpt-4o-mini", "gpt-4o", "local-llama-7b"]) assert(text.includes(m), "model " + m + " not listed");
	assert(/unpriced/i.test(text), "the unpriced call does not say so");
	assert(/500/.test(text), "the failed call's status is not shown");
	const heads = await page.$$eval("#view table.list thead th", (t) => t.map((x) => x.textContent.trim().toLowerCase()));
	for (const h of ["time", "type", "name", "model", "tokens", "cost", "latency", "ttft", "status"]) assert(heads.includes(h), "no column " + h);
	await closePage(page);
});

check("model and status filters narrow the rows", ["traces"], async (env) => {
	const page = await openPage(env);
	await page.goto(env.base + "/#traces");
	await page.waitForSelector(rowsSel);
	const before = await page.$$eval(rowsSel, (r) => r.length);
	await page.selectOption("#f-model", "gpt-4o");
	await page.waitForFunction((s) => {
		const rows = [...document.querySelectorAll(s)];
		return rows.length > 0 && rows.every((r) => r.querySelector("td.model")?.textContent === "gpt-4o");
	}, rowsSel, { timeout: 5000 * SLOW }).catch(() => { throw new Error("model filter did not narrow to gpt-4o"); });
	const after = await page.$$eval(rowsSel, (r) => r.length);
	assert(after < before, `model filter: ${after} rows, not fewer than ${before}`);
	assert((await page.evaluate(() => location.hash)).includes("model=gpt-4o"), "filter is not in the URL");
	await page.selectOption("#f-model", "");
	await page.selectOption("#f-status", "error");
	await page.waitForFunction((s) => {
		const rows = [...document.querySelectorAll(s)];
		return rows.length > 0 && rows.every((r) => r.querySelector("td.status")?.textContent.trim() !== "200");
	}, rowsSel, { timeout: 5000 * SLOW }).catch(() => { throw new Error("status filter did not narrow to errors"); });
	await page.fill("#f-q", "nothing-matches-this-" + hex(6));
	await page.waitForSelector("#view .empty-filtered", { timeout: 5000 * SLOW }).catch(() => { throw new Error("no empty state for a search matching nothing"); });
	await closePage(page);
});

check("type filter narrows to span types", ["traces", "spanTypeFilter"], async (env) => {
	const page = await openPage(env);
	await page.goto(env.base + "/#traces");
	await page.waitForSelector(rowsSel);
	await page.selectOption("#f-type", "agent");
	await page.waitForFunction((s) => {
		const rows = [...document.querySelectorAll(s)];
		return rows.length > 0 && rows.every((r) => r.querySelector(".badge")?.textContent === "agent");
	}, rowsSel, { timeout: 5000 * SLOW }).catch(() => { throw new Error("type filter did not narrow to agent spans"); });
	await closePage(page);
});

check("a trace opens as a waterfall with its children", ["traces", "tree"], async (env) => {
	const page = await openPage(env);
	await page.goto(env.base + "/#traces/" + env.S.agentRoot);
	await page.waitForSelector(".wf-row", { timeout: 5000 * SLOW });
	const names = await page.$$eval(".wf-row .wf-name", (r) => r.map((x) => x.textContent));
	for (const n of ["research-agent", "plan", XSS, "web_search", "vector lookup"]) assert(names.includes(n), "span " + n + " not in the waterfall: " + names.join(", "));
	// The proxied call joined the trace under the XSS span: depth 2.
	const depths = await page.$$eval(".wf-row", (r) => r.map((x) => Number(x.dataset.depth)));
	assert(Math.max(...depths) >= 2, "no grandchild span in the waterfall");
	// Collapsing the root hides its children.
	await page.click(`.wf-row[data-id="${env.S.agentRoot}"] .wf-toggle`);
	await page.waitForFunction(() => document.querySelectorAll(".wf-row").length === 1, null, { timeout: 3000 * SLOW }).catch(() => { throw new Error("collapsing the root did not hide its children"); });
	await page.click(`.wf-row[data-id="${env.S.agentRoot}"] .wf-toggle`);
	// The LLM span shows its TTFT mark and a span panel with messages and tokens.
	await page.click(`.wf-row[data-id="${env.S.xssSpan}"]`);
	await page.waitForSelector(`.wf-row[data-id="${env.S.xssSpan}"] .wf-ttft`, { timeout: 3000 * SLOW });
	await page.click("#span-panel [data-tab=overview]");
	await waitText(page, "#span-panel", "Cached input");
	await waitText(page, "#span-panel", "Reasoning");
	await waitText(page, "#span-panel", "computed");
	await page.click("#span-panel [data-tab=messages]");
	await page.waitForFunction((t) => [...document.querySelectorAll("#span-panel .msg-text")].some((m) => m.textContent === t && m.offsetParent), "Summarise " + XSS, { timeout: 3000 * SLOW })
		.catch(() => { throw new Error("the input message is not shown as a chat"); });
	await closePage(page);
});

check("a span's links show as text and open the linked trace", ["traces", "tree"], async (env) => {
	const page = await openPage(env);
	await page.goto(env.base + "/#traces/" + env.S.toolSpan);
	await page.waitForSelector(".wf-row", { timeout: 5000 * SLOW });
	await page.click("#span-panel [data-tab=overview]");
	await waitText(page, "#span-panel", "Links");
	await waitText(page, "#span-panel", "vendor=" + XSS);
	const a = `#span-panel .links a[href="#traces/${env.S.followRoot}"]`;
	await page.waitForSelector(a, { timeout: 3000 * SLOW });
	assert(await page.$(`#span-panel .links a[href="#traces/${env.S.followTrace}"]`), "no link to the linked trace");
	assert(await page.evaluate(() => document.querySelectorAll("img[src=x], img[onerror]").length) === 0, "an <img> from a link's payload was created");
	await page.click(a);
	await page.waitForFunction(() => [...document.querySelectorAll(".wf-row .wf-name")].some((x) => x.textContent === "follow-up"), null, { timeout: 5000 * SLOW })
		.catch(() => { throw new Error("the link did not open the linked trace"); });
	assert(page.dialogs.length === 0, "a dialog opened: " + page.dialogs.join(","));
	await closePage(page);
});

check("a single proxied call opens with its request and response", ["traces"], async (env) => {
	const rows = (await httpReq(env.lf.dashPort, "GET", "/api/traces?limit=50&model=gpt-4o")).json.filter((r) => r.request_path);
	assert(rows.length, "no proxied gpt-4o call");
	const page = await openPage(env);
	await page.goto(env.base + "/#traces/" + rows[0].id);
	await page.waitForSelector("#span-panel", { timeout: 5000 * SLOW });
	await page.click("#span-panel [data-tab=request]");
	await waitText(page, "#span-panel", "What is the capital of France?");
	await page.click("#span-panel [data-tab=response]");
	await waitText(page, "#span-panel", "chatcmpl-fake");
	await closePage(page);
});

check("the XSS payload stays text everywhere", ["traces", "tree"], async (env) => {
	const page = await openPage(env);
	await page.goto(env.base + "/#traces/" + env.S.xssSpan);
	await page.waitForSelector(".wf-row");
	await waitText(page, "#span-panel", XSS);
	await page.goto(env.base + "/#traces");
	await page.waitForSelector(rowsSel);
	await page.goto(env.base + "/#logs");
	await sleep(800);
	const bad = await page.evaluate(() => document.querySelectorAll("img[src=x], img[onerror]").length);
	assert(bad === 0, "an <img> from the payload was created");
	assert(page.dialogs.length === 0, "a dialog opened: " + page.dialogs.join(","));
	await closePage(page);
});

check("a new call through the proxy appears without reload", ["traces"], async (env) => {
	const page = await openPage(env);
	await page.goto(env.base + "/#traces");
	await page.waitForSelector(rowsSel);
	await page.evaluate(() => { window.__sameDocument = 1; });
	const model = "live-model-" + hex(6);
	const t0 = Date.now();
	const r = await chat(env.lf, model);
	assert(r.status === 200, "live call failed: " + r.status);
	const t1 = Date.now();
	await page.waitForFunction((m) => [...document.querySelectorAll("#view table.list tbody td.model")].some((td) => td.textContent === m), model, { timeout: 4000 * SLOW })
		.catch(() => { throw new Error("the new call did not appear within 4 s"); });
	const took = Date.now() - t1;
	assert(await page.evaluate(() => window.__sameDocument === 1), "the page reloaded");
	timing("a new call appears after it returns (2 s poll)", took, 2600);
	// A filter that excludes it keeps it out.
	await page.selectOption("#f-model", "gpt-4o");
	await page.waitForFunction(() => [...document.querySelectorAll("#view table.list tbody td.model")].every((td) => td.textContent === "gpt-4o"));
	await chat(env.lf, model);
	await sleep(2500);
	const leaked = await page.evaluate((m) => [...document.querySelectorAll("#view table.list tbody td.model")].some((td) => td.textContent === m), model);
	assert(!leaked, "a new row that does not match the filter was added");
	void t0;
	await closePage(page);
});

check("deep links and back/forward", ["traces"], async (env) => {
	const page = await openPage(env);
	await page.goto(env.base + "/#models");
	await page.waitForSelector("#tab-models[aria-selected=true]");
	await page.click("#tab-traces");
	await page.waitForSelector(rowsSel);
	const id = await page.getAttribute(rowsSel, "data-id");
	await page.click(rowsSel);
	await page.waitForFunction((i) => location.hash === "#traces/" + i, id);
	await page.waitForSelector("#span-panel");
	await page.goBack();
	await page.waitForFunction(() => location.hash === "#traces");
	await page.waitForSelector(rowsSel);
	await page.goBack();
	await page.waitForSelector("#tab-models[aria-selected=true]", { timeout: 3000 * SLOW });
	await page.goForward();
	await page.waitForSelector("#tab-traces[aria-selected=true]", { timeout: 3000 * SLOW });
	await page.goForward();
	await page.waitForSelector("#span-panel", { timeout: 3000 * SLOW });
	// A cold deep link.
	const p2 = await openPage(env);
	await p2.goto(env.base + "/#traces/" + id);
	await p2.waitForSelector("#span-panel", { timeout: 5000 * SLOW });
	await closePage(p2);
	await closePage(page);
});

check("keyboard: digits switch tabs, j/k move, Enter opens, Esc returns, / searches, ? helps", ["traces"], async (env) => {
	const page = await openPage(env);
	await page.goto(env.base + "/#timeline");
	await page.waitForSelector("#tab-timeline[aria-selected=true]");
	await page.keyboard.press("2");
	await page.waitForSelector("#tab-traces[aria-selected=true]");
	await page.waitForSelector("#view table.traces tbody tr[data-id]");
	await page.keyboard.press("j");
	await page.keyboard.press("j");
	await page.keyboard.press("k");
	const sel = await page.$$eval(rowsSel, (r) => r.findIndex((x) => x.classList.contains("selected")));
	assert(sel === 0, "j j k did not select the first row (" + sel + ")");
	await page.keyboard.press("ArrowDown");
	const id = await page.$$eval(rowsSel, (r) => r.find((x) => x.classList.contains("selected"))?.dataset.id);
	await page.keyboard.press("Enter");
	await page.waitForFunction((i) => location.hash === "#traces/" + i, id, { timeout: 5000 * SLOW });
	await page.waitForSelector("#view .crumbs", { timeout: 5000 * SLOW });
	await page.keyboard.press("Escape");
	await page.waitForFunction(() => location.hash.startsWith("#traces") && !location.hash.includes("/"), null, { timeout: 3000 * SLOW });
	await page.waitForSelector("#view table.traces tbody tr[data-id]");
	await page.keyboard.press("/");
	assert(await page.evaluate(() => document.activeElement?.id === "f-q"), "/ did not focus the search box");
	await page.keyboard.press("Escape");
	await page.keyboard.press("?");
	await page.waitForSelector("#help:not([hidden])", { timeout: 2000 * SLOW });
	await page.keyboard.press("Escape");
	await page.waitForSelector("#help", { state: "hidden", timeout: 2000 * SLOW });
	for (let i = 1; i <= 7; i++) {
		await page.keyboard.press(String(i));
		await page.waitForFunction((n) => document.querySelectorAll("nav.tabs [role=tab]")[n - 1]?.getAttribute("aria-selected") === "true", i, { timeout: 2000 * SLOW });
	}
	await closePage(page);
});

check("theme follows the system, toggles, persists, and does not flash", [], async (env) => {
	const page = await openPage(env, { colorScheme: "dark" });
	await page.goto(env.base + "/#traces");
	assert(await page.evaluate(() => document.documentElement.dataset.theme) === "dark", "does not follow a dark system theme");
	await page.keyboard.press("t");
	assert(await page.evaluate(() => document.documentElement.dataset.theme) === "light", "t did not switch to light");
	await page.reload();
	// theme.js runs before the body exists, so the first paint is light.
	assert(await page.evaluate(() => document.documentElement.dataset.theme) === "light", "light was not remembered");
	const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
	assert(bg !== "rgba(0, 0, 0, 0)", "no background color");
	await page.click("#theme-toggle");
	assert(await page.evaluate(() => document.documentElement.dataset.theme) === "dark", "the toggle did not switch");
	await closePage(page);
	// theme.js is a plain script loaded before the stylesheet in <head>.
	const html = fs.readFileSync(path.join(REPO, "htdocs", "index.html"), "utf8");
	const head = html.slice(0, html.indexOf("</head>"));
	assert(/<script src="theme.js"><\/script>/.test(head) && head.indexOf("theme.js") < head.indexOf("style.css"), "theme.js is not loaded synchronously before the stylesheet");
});

check("timeline merges calls and spans, newest first", ["traces"], async (env) => {
	const page = await openPage(env);
	await page.goto(env.base + "/#timeline");
	await page.waitForSelector(rowsSel, { timeout: 5000 * SLOW });
	const ts = await page.$$eval(rowsSel, (r) => r.map((x) => Number(x.dataset.ts)));
	for (let i = 1; i < ts.length; i++) assert(ts[i] <= ts[i - 1], "timeline is not newest first");
	await closePage(page);
});

check("logs tab lists and filters logs", ["logs"], async (env) => {
	const page = await openPage(env);
	await page.goto(env.base + "/#logs");
	await page.waitForSelector(rowsSel, { timeout: 5000 * SLOW });
	const before = await page.$$eval(rowsSel, (r) => r.length);
	assert(before >= 24, "only " + before + " logs listed");
	await page.selectOption("#f-service", "api-gateway");
	await page.waitForFunction((s) => [...document.querySelectorAll(s)].every((r) => r.querySelector("td.service")?.textContent === "api-gateway") && document.querySelectorAll(s).length > 0, rowsSel, { timeout: 5000 * SLOW });
	await page.selectOption("#f-service", "");
	await page.selectOption("#f-severity", "17");
	await page.waitForFunction((s) => [...document.querySelectorAll(s)].every((r) => /ERROR|FATAL/.test(r.textContent)) && document.querySelectorAll(s).length > 0, rowsSel, { timeout: 5000 * SLOW });
	await closePage(page);
});

check("metrics tab shows summary cards, a table and a chart", ["metrics", "metricsSummary"], async (env) => {
	const page = await openPage(env);
	await page.goto(env.base + "/#metrics");
	await waitText(page, "#view", "gen_ai.client.token.usage");
	await page.waitForSelector("#view .card", { timeout: 5000 * SLOW });
	await page.waitForSelector("#view canvas", { timeout: 5000 * SLOW });
	await closePage(page);
});

check("a metric point's exemplar opens the trace it was taken in", ["metrics"], async (env) => {
	const page = await openPage(env);
	await page.goto(env.base + "/#metrics");
	const a = `a.exemplar[href="#traces/${env.S.xssSpan}"]`;
	await page.waitForSelector(a, { timeout: 5000 * SLOW }).catch(() => { throw new Error("no exemplar link in the metrics table"); });
	await page.click(a);
	await page.waitForFunction(() => [...document.querySelectorAll(".wf-row .wf-name")].some((x) => x.textContent === "research-agent"), null, { timeout: 5000 * SLOW })
		.catch(() => { throw new Error("the exemplar did not open its trace"); });
	await closePage(page);
});

check("sessions tab lists the seeded session", ["sessions"], async (env) => {
	const page = await openPage(env);
	await page.goto(env.base + "/#sessions");
	await waitText(page, "#view", env.S.session);
	await page.click(`${rowsSel}[data-id="${env.S.session}"]`);
	await waitText(page, "#view", env.S.agentTrace);
	const n = await page.$$eval(rowsSel, (r) => r.length);
	assert(n === 2, "the session shows " + n + " traces, not 2");
	await closePage(page);
});

check("models tab shows real per-model figures", ["models"], async (env) => {
	const models = (await httpReq(env.lf.dashPort, "GET", "/api/models")).json;
	const page = await openPage(env);
	await page.goto(env.base + "/#models");
	await page.waitForSelector(rowsSel, { timeout: 5000 * SLOW });
	const m = models.find((x) => x.model === "gpt-4o");
	const row = await page.textContent(`${rowsSel}[data-id="gpt-4o"]`);
	assert(row.includes(m.request_count.toLocaleString("en-US")), "gpt-4o request count missing: " + row);
	await closePage(page);
});

check("analytics tab draws trends, cost by model and the daily table", ["analytics", "tokenTrends", "costByModel"], async (env) => {
	const page = await openPage(env);
	await page.goto(env.base + "/#analytics");
	await page.waitForFunction(() => document.querySelectorAll("#view canvas").length >= 3, null, { timeout: 5000 * SLOW });
	await page.waitForSelector("#view table.list tbody tr", { timeout: 5000 * SLOW });
	for (const d of ["7", "14", "90", "30"]) {
		await page.click(`#view [data-days="${d}"]`);
		await page.waitForSelector(`#view [data-days="${d}"][aria-pressed=true]`);
	}
	await sleep(500);
	await closePage(page);
});

check("an empty database shows the proxy URL and copyable snippets", ["traces"], async (env) => {
	const page = await openPage(env);
	// The API as a fresh install answers it.
	await page.route(/\/api\/traces(\?|$)/, (r) => r.fulfill({ status: 200, contentType: "application/json", body: "[]" }));
	await page.route(/\/api\/timeline(\?|$)/, (r) => r.fulfill({ status: 200, contentType: "application/json", body: "[]" }));
	await page.route(/\/api\/logs(\?|$)/, (r) => r.fulfill({ status: 200, contentType: "application/json", body: '{"logs":[],"total":0}' }));
	await page.route(/\/api\/stats$/, (r) => r.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ total_requests: 0, total_tokens: 0, total_cost: 0, total_duration: 0, error_count: 0, avg_duration: null, unpriced_requests: 0, models: [] }) }));
	await page.goto(env.base + "/#traces");
	await page.waitForSelector("#view .onboarding", { timeout: 5000 * SLOW });
	const url = await page.textContent("#proxy-url");
	assert(url === "http://127.0.0.1:8080/v1", "proxy URL shown is " + url);
	const text = await page.textContent("#view .onboarding");
	assert(text.includes("from openai import OpenAI") && text.includes('new OpenAI({ baseURL: "http://127.0.0.1:8080/v1" })'), "Python or JavaScript snippet missing");
	assert(await page.$$eval("#view .onboarding .copy", (b) => b.length) >= 3, "no copy buttons");
	await page.goto(env.base + "/#timeline");
	await page.waitForSelector("#view .onboarding", { timeout: 5000 * SLOW });
	await page.screenshot({ path: path.join(SHOTS, "empty-light.png") });
	await closePage(page);
});

check("unavailable endpoints show a notice, not a crash", [], async (env) => {
	const page = await openPage(env);
	for (const tab of ["timeline", "traces", "sessions", "logs", "metrics", "models", "analytics"]) {
		await page.goto(env.base + "/#" + tab);
		await page.waitForSelector(`#tab-${tab}[aria-selected=true]`);
		await page.waitForFunction(() => !document.querySelector("#view .loading"), null, { timeout: 5000 * SLOW })
			.catch(() => { throw new Error(tab + " is still loading after 5 s"); });
	}
	await closePage(page);
});

check("screenshots of every tab in both themes", [], async (env) => {
	fs.mkdirSync(SHOTS, { recursive: true });
	for (const theme of ["light", "dark"]) {
		const page = await openPage(env, { colorScheme: theme });
		const shots = [
			["timeline", "#timeline"], ["traces", "#traces"], ["trace-detail", "#traces/" + env.S.xssSpan],
			["trace-big", "#traces/" + env.S.bigRoot], ["sessions", "#sessions"], ["logs", "#logs"],
			["metrics", "#metrics"], ["models", "#models"], ["analytics", "#analytics"],
		];
		for (const [name, hash] of shots) {
			await page.goto(env.base + "/" + hash);
			await page.waitForFunction(() => !document.querySelector("#view .loading"), null, { timeout: 8000 * SLOW }).catch(() => {});
			await sleep(name === "analytics" || name === "metrics" ? 900 : 400);
			await page.screenshot({ path: path.join(SHOTS, `${name}-${theme}.png`) });
		}
		await page.keyboard.press("?");
		await page.screenshot({ path: path.join(SHOTS, `help-${theme}.png`) });
		await closePage(page);
	}
});

check("a 5,000-span trace opens as a virtualised waterfall", ["traces", "tree"], async (env) => {
	const page = await openPage(env);
	await page.goto(env.base + "/#traces");
	await page.waitForSelector(rowsSel);
	const t0 = Date.now();
	await page.evaluate((id) => { location.hash = "#traces/" + id; }, env.S.bigRoot);
	await page.waitForFunction((n) => document.querySelector("#wf")?.dataset.count === String(n), BIG_SPANS, { timeout: 5000 * SLOW })
		.catch(() => { throw new Error("the waterfall did not report " + BIG_SPANS + " spans"); });
	const took = Date.now() - t0;
	const rendered = await page.$$eval(".wf-row", (r) => r.length);
	assert(rendered < 300, rendered + " rows in the DOM: the waterfall is not virtualised");
	// Scrolling stays cheap.
	const st = Date.now();
	await page.evaluate(async () => {
		const s = document.querySelector("#wf .wf-scroll");
		for (let i = 0; i < 30; i++) { s.scrollTop += 2000; await new Promise(requestAnimationFrame); }
	});
	const scroll = Date.now() - st;
	timing("a 5,000-span trace opens", took, 1000);
	timing("30 scroll frames of that waterfall", scroll, 2000);
	await closePage(page);
});

check(`Traces opens and pages with ${BIG_ROWS.toLocaleString("en-US")} more rows`, BIG_ROWS ? ["traces"] : ["big"], async (env) => {
	seedBig(env.lf.db, BIG_ROWS);
	// The server has seen the database once, as it has when someone opens the page.
	await httpReq(env.lf.dashPort, "GET", "/api/traces?limit=1");
	const page = await openPage(env);
	await page.goto(env.base + "/#traces");
	await page.waitForSelector(rowsSel, { timeout: 10000 * SLOW });
	// Time from the start of navigation to the rows being in the page.
	const took = Math.round(await page.evaluate(() => performance.now()));
	timing(`first rows of Traces with ${BIG_ROWS.toLocaleString("en-US")} more rows, from navigation`, took, 1000);
	// Paging to an old page stays usable.
	const t1 = Date.now();
	await page.click("#page-next");
	await page.waitForFunction(() => location.hash.includes("offset=50"));
	await page.waitForSelector(rowsSel);
	timing("the next page of Traces", Date.now() - t1, 1500);
	await closePage(page);
});

main().then(() => {
	console.log(`# ${passed} passed, ${failed} failed, ${skipped} skipped`);
	process.exit(failed ? 1 : 0);
}, (e) => {
	console.log("not ok - browser test setup: " + (e && e.message || e));
	process.exit(1);
});
