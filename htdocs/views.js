// The tabs.  Each view is mount(root, ctx) -> {poll, move, open, back,
// search, destroy}; app.js re-mounts on every route change.
import {
	api, ApiError, badge, clear, copyButton, costNode, debounce, fill, DASH, fmtAgo, fmtCompact, fmtDateTime,
	fmtInt, fmtMs, fmtTime, fmtUsd, h, jsonView, NotAvailable, parseMaybe, SPAN_TYPES, statusNode,
	supportsFilter, timeCell, traceLink,
} from "./util.js";
import { axes, chart, tooltip } from "./charts.js";
import { traceDetail } from "./trace.js";

const PAGE = 50;
const PROVIDERS = ["openai", "anthropic", "gemini", "cohere", "ollama", "groq", "mistral", "together", "openrouter", "perplexity", "azure", "helicone"];

// ------------------------------------------------------------ shared parts

export function loadingBox() {
	return h("div", { class: "loading" }, h("span", { class: "spinner" }), "Loading…");
}

export function notAvailable(what, endpoint) {
	return h("div", { class: "notice na" },
		h("strong", null, what + " is not available in this version"),
		h("p", null, "This LLMFlow's API does not answer ", h("code", null, endpoint), " yet. The other tabs work; this one fills in once the server is updated."));
}

export function errorBox(e) {
	const msg = e instanceof ApiError ? (e.status ? "The API answered " + e.status + ": " + e.message : e.message) : String(e && e.message || e);
	return h("div", { class: "notice error" }, h("strong", null, "Could not load this view"), h("p", null, msg));
}

// Shows a failure of `fn` in `box`; NotAvailable becomes the notice.
async function guarded(box, what, endpoint, fn) {
	try {
		return await fn();
	} catch (e) {
		if (e.name === "AbortError") return undefined;
		fill(box, e instanceof NotAvailable ? notAvailable(what, endpoint) : errorBox(e));
		return undefined;
	}
}

function proxyBase() {
	return location.protocol + "//" + (location.hostname || "localhost") + ":8080";
}

// What a new user needs: where to point an SDK.
export function onboarding() {
	const base = proxyBase() + "/v1";
	const py = `from openai import OpenAI\n\nclient = OpenAI(base_url="${base}")  # key from OPENAI_API_KEY\nr = client.chat.completions.create(\n    model="gpt-4o-mini",\n    messages=[{"role": "user", "content": "Hello"}],\n)\nprint(r.choices[0].message.content)`;
	const js = `import OpenAI from "openai";\n\nconst client = new OpenAI({ baseURL: "${base}" });\nconst r = await client.chat.completions.create({\n  model: "gpt-4o-mini",\n  messages: [{ role: "user", content: "Hello" }],\n});\nconsole.log(r.choices[0].message.content);`;
	const sh = `export OPENAI_BASE_URL=${base}\n# Anthropic's own API, e.g. Claude Code:\nexport ANTHROPIC_BASE_URL=${proxyBase()}/passthrough/anthropic`;
	const snippet = (title, code) => h("div", { class: "snippet" },
		h("div", { class: "snippet-head" }, h("span", null, title), copyButton(() => code)),
		h("pre", null, code));
	return h("section", { class: "onboarding" },
		h("div", { class: "ob-head" },
			h("h2", null, "No calls recorded yet"),
			h("p", null, "Point your SDK's base URL at the LLMFlow proxy. Every call then shows up here within two seconds, with its tokens, cost and latency.")),
		h("div", { class: "proxy-url" },
			h("span", { class: "label" }, "Proxy URL"),
			h("code", { id: "proxy-url" }, base), copyButton(() => base)),
		h("p", { class: "muted small" }, "8080 is the proxy's default port; if LLMFlow was started with PROXY_PORT=…, use that port. Other providers have their own prefix: ",
			h("code", null, "/anthropic/v1"), ", ", h("code", null, "/gemini/v1"), ", ", h("code", null, "/ollama/v1"), ", ", h("code", null, "/groq/v1"), "…"),
		h("div", { class: "snippets" }, snippet("Python", py), snippet("JavaScript", js), snippet("Shell", sh)));
}

function emptyFiltered(clearFn, what = "rows") {
	return h("div", { class: "empty-filtered" },
		h("p", null, "No " + what + " match these filters."),
		clearFn ? h("button", { class: "btn", type: "button", onclick: clearFn }, "Clear filters") : null);
}

// Row selection with j/k, Enter and a click.
function selection(getRows, onOpen) {
	let selected = null;
	const rows = () => [...getRows()];
	function mark(tr) {
		for (const r of rows()) r.classList.toggle("selected", r === tr);
		if (tr) { selected = tr.dataset.id; tr.scrollIntoView({ block: "nearest" }); }
	}
	return {
		move(d) {
			const rs = rows();
			if (!rs.length) return;
			let i = rs.findIndex((r) => r.dataset.id === selected);
			i = i < 0 ? (d > 0 ? 0 : rs.length - 1) : Math.min(rs.length - 1, Math.max(0, i + d));
			mark(rs[i]);
		},
		open() {
			const tr = rows().find((r) => r.dataset.id === selected);
			if (tr) onOpen(tr);
		},
		restore() {
			const tr = rows().find((r) => r.dataset.id === selected);
			if (tr) tr.classList.add("selected");
		},
		click(tr) { mark(tr); onOpen(tr); },
	};
}

function field(label, control, cls) {
	return h("label", { class: "field" + (cls ? " " + cls : "") }, h("span", null, label), control);
}

function select(id, options, value, title) {
	const s = h("select", { id, title: title || null });
	for (const o of options) {
		const [v, t] = Array.isArray(o) ? o : [o, o];
		s.appendChild(h("option", { value: v }, t));
	}
	if (value != null && value !== "" && ![...s.options].some((o) => o.value === value)) s.appendChild(h("option", { value }, value));
	s.value = value || "";
	return s;
}

function searchBox(id, value, placeholder) {
	return h("div", { class: "search" },
		h("svg:svg", { viewBox: "0 0 16 16", width: "14", height: "14", "aria-hidden": "true" },
			h("svg:path", { d: "M7 12.5a5.5 5.5 0 1 1 0-11 5.5 5.5 0 0 1 0 11zM11 11l3.5 3.5", fill: "none", stroke: "currentColor", "stroke-width": "1.5", "stroke-linecap": "round" })),
		h("input", { id, type: "search", value: value || "", placeholder, autocomplete: "off", spellcheck: false }),
		h("kbd", null, "/"));
}

const RANGES = [["", "Any time"], ["1h", "Last hour"], ["24h", "Last 24 hours"], ["7d", "Last 7 days"], ["30d", "Last 30 days"], ["custom", "Custom…"]];
const RANGE_MS = { "1h": 3600e3, "24h": 86400e3, "7d": 7 * 86400e3, "30d": 30 * 86400e3 };

function rangeParams(p) {
	const r = p.get("range");
	if (RANGE_MS[r]) return { date_from: Date.now() - RANGE_MS[r] };
	if (r === "custom") {
		const out = {};
		if (p.get("from")) out.date_from = new Date(p.get("from") + "T00:00:00").getTime();
		if (p.get("to")) out.date_to = new Date(p.get("to") + "T23:59:59.999").getTime();
		return out;
	}
	return {};
}

function tableHead(cols) {
	return h("thead", null, h("tr", null, cols.map((c) => {
		const [label, cls] = Array.isArray(c) ? c : [c, ""];
		return h("th", { scope: "col", class: cls || null }, label);
	})));
}

function pager(offset, count, go) {
	return h("div", { class: "pager" },
		h("button", { id: "page-prev", class: "btn", type: "button", disabled: offset <= 0, onclick: () => go(Math.max(0, offset - PAGE)) }, "← Newer"),
		h("span", { class: "muted" }, count ? `${fmtInt(offset + 1)}–${fmtInt(offset + count)}` : DASH),
		h("button", { id: "page-next", class: "btn", type: "button", disabled: count < PAGE, onclick: () => go(offset + PAGE) }, "Older →"));
}

function num(v, cls = "num") {
	return h("td", { class: cls }, v);
}

function tokensTitle(r) {
	const parts = [["prompt", r.prompt_tokens], ["completion", r.completion_tokens], ["cached", r.cached_tokens], ["cache write", r.cache_creation_tokens], ["reasoning", r.reasoning_tokens]];
	return parts.filter(([, v]) => v != null).map(([k, v]) => k + " " + fmtInt(v)).join(" · ") || null;
}

// ------------------------------------------------------------ Traces

function traceRow(r, fresh) {
	const tags = Array.isArray(r.tags) ? r.tags : parseMaybe(r.tags);
	const name = r.span_name || (r.request_path ? (r.request_method || "") + " " + r.request_path : DASH);
	return h("tr", { dataset: { id: r.id, ts: r.timestamp }, class: fresh ? "fresh" : null },
		timeCell(r.timestamp),
		h("td", null, badge(r.span_type)),
		h("td", { class: "name" }, h("div", { class: "cell" }, h("span", { class: "name-text" }, name),
			r.service_name ? h("span", { class: "svc" }, r.service_name) : null,
			Array.isArray(tags) ? tags.slice(0, 3).map((t) => h("span", { class: "chip", title: String(t) }, String(t))) : null)),
		h("td", { class: "model" }, r.model || ""),
		h("td", { class: "num", title: tokensTitle(r) }, r.total_tokens == null ? DASH : fmtInt(r.total_tokens)),
		h("td", { class: "num" }, r.span_type === "llm" || r.model || r.estimated_cost != null ? costNode(r.estimated_cost, r.cost_source) : DASH),
		num(fmtMs(r.duration_ms)),
		num(r.ttft_ms == null ? DASH : fmtMs(r.ttft_ms)),
		h("td", { class: "status" }, statusNode(r.status, r.error)));
}

const TRACE_COLS = ["Time", "Type", "Name", "Model", ["Tokens", "num"], ["Cost", "num"], ["Latency", "num"], ["TTFT", "num"], "Status"];

function tracesView(root, ctx) {
	if (ctx.route.id) return traceDetail(root, ctx);
	const p = ctx.route.params;
	const offset = Number(p.get("offset")) || 0;
	const filters = ["q", "model", "provider", "status", "type", "tag", "range", "from", "to"];
	const hasFilter = filters.some((k) => p.get(k));
	const stats = ctx.stats();
	const modelOpts = [["", "All models"], ...((stats && stats.models) || []).filter((m) => m.model).map((m) => m.model)];

	const setP = (k, v, keepOffset) => {
		const np = new URLSearchParams(p);
		if (v) np.set(k, v); else np.delete(k);
		if (!keepOffset) np.delete("offset");
		if (k === "range" && v !== "custom") { np.delete("from"); np.delete("to"); }
		ctx.setParams(np);
		remount();
	};
	const remount = () => window.dispatchEvent(new HashChangeEvent("hashchange"));

	const q = searchBox("f-q", p.get("q"), "Search bodies, messages, outputs…");
	q.querySelector("input").addEventListener("input", debounce((e) => setP("q", e.target.value.trim()), 300));
	const mSel = select("f-model", modelOpts, p.get("model"));
	mSel.addEventListener("change", () => setP("model", mSel.value));
	const pSel = select("f-provider", [["", "All providers"], ...PROVIDERS], p.get("provider"));
	pSel.addEventListener("change", () => setP("provider", pSel.value));
	const sSel = select("f-status", [["", "Any status"], ["success", "Success"], ["error", "Error"]], p.get("status"));
	sSel.addEventListener("change", () => setP("status", sSel.value));
	const tSel = select("f-type", [["", "All types"], ...SPAN_TYPES], p.get("type"));
	tSel.addEventListener("change", () => setP("type", tSel.value));
	const tag = h("input", { id: "f-tag", type: "text", value: p.get("tag") || "", placeholder: "tag", size: 10, spellcheck: false });
	tag.addEventListener("change", () => setP("tag", tag.value.trim()));
	const rSel = select("f-range", RANGES, p.get("range"));
	rSel.addEventListener("change", () => setP("range", rSel.value));
	const custom = p.get("range") === "custom" ? [
		h("input", { id: "f-from", type: "date", value: p.get("from") || "", onchange: (e) => setP("from", e.target.value) }),
		h("input", { id: "f-to", type: "date", value: p.get("to") || "", onchange: (e) => setP("to", e.target.value) }),
	] : null;
	const note = h("span", { class: "filter-note muted small" });
	const toolbar = h("div", { class: "toolbar" }, q, mSel, pSel, sSel, tSel, tag, rSel, custom,
		hasFilter ? h("button", { class: "btn ghost", type: "button", onclick: () => { ctx.setParams(new URLSearchParams()); remount(); } }, "Clear") : null,
		note);

	const tbody = h("tbody");
	const table = h("table", { class: "list traces" }, tableHead(TRACE_COLS), tbody);
	const body = h("div", { class: "table-wrap" }, loadingBox());
	const foot = h("div", { class: "foot" });
	root.append(toolbar, body, foot);

	// Older API versions ignore filters they do not know; say so instead of
	// showing unfiltered rows as if they were filtered.
	for (const [param, key, el] of [["span_type", "type", tSel], ["tag", "tag", tag]]) {
		supportsFilter(param).then((ok) => {
			if (ok) return;
			el.disabled = true;
			el.title = "This filter needs a newer LLMFlow API";
			if (p.get(key)) note.textContent = "The " + key + " filter needs a newer API and is ignored.";
		});
	}

	const sel = selection(() => tbody.querySelectorAll("tr[data-id]"), (tr) => ctx.go("#traces/" + encodeURIComponent(tr.dataset.id)));
	tbody.addEventListener("click", (e) => {
		const tr = e.target.closest("tr[data-id]");
		if (tr) sel.click(tr);
	});

	let shown = new Set();
	let first = true;
	async function load(quiet) {
		const params = { limit: PAGE, offset, q: p.get("q"), model: p.get("model"), provider: p.get("provider"), status: p.get("status"), ...rangeParams(p) };
		if (p.get("type") && await supportsFilter("span_type")) params.span_type = p.get("type");
		if (p.get("tag") && await supportsFilter("tag")) params.tag = p.get("tag");
		// Relative ranges move with the clock.
		const rows = await guarded(body, "Traces", "/api/traces", () => api("/traces", params));
		if (!rows) return;
		const fresh = first ? new Set() : new Set(rows.filter((r) => !shown.has(r.id)).map((r) => r.id));
		if (quiet && fresh.size === 0 && rows.length === shown.size) {
			// Same rows: only refresh changed cells by re-rendering in place.
		}
		shown = new Set(rows.map((r) => r.id));
		first = false;
		clear(tbody);
		for (const r of rows) tbody.appendChild(traceRow(r, fresh.has(r.id)));
		sel.restore();
		if (rows.length === 0) {
			const st = ctx.stats();
			fill(body, hasFilter || offset ? emptyFiltered(hasFilter ? () => { ctx.setParams(new URLSearchParams()); remount(); } : null) : (st && st.total_requests > 0 ? emptyFiltered(null) : onboarding()));
		} else if (!table.isConnected) {
			fill(body, table);
		}
		fill(foot, pager(offset, rows.length, (o) => setP("offset", o ? String(o) : "", true)));
	}
	load();
	const onStats = () => {
		const st = ctx.stats();
		if (!st) return;
		for (const m of st.models || []) if (m.model && ![...mSel.options].some((o) => o.value === m.model)) mSel.appendChild(h("option", { value: m.model }, m.model));
	};
	window.addEventListener("llmflow:stats", onStats);
	return {
		poll: ({ changed, force }) => ((changed || force) && offset === 0 ? load(true) : null),
		move: sel.move,
		open: sel.open,
		search: () => q.querySelector("input").focus(),
		destroy: () => window.removeEventListener("llmflow:stats", onStats),
	};
}

// ------------------------------------------------------------ Timeline

function timelineView(root, ctx) {
	const p = ctx.route.params;
	const setP = (k, v) => {
		const np = new URLSearchParams(p);
		if (v) np.set(k, v); else np.delete(k);
		ctx.setParams(np);
		window.dispatchEvent(new HashChangeEvent("hashchange"));
	};
	const q = searchBox("f-q", p.get("q"), "Search calls, spans and logs…");
	q.querySelector("input").addEventListener("input", debounce((e) => setP("q", e.target.value.trim()), 300));
	const tSel = select("f-kind", [["", "Calls, spans and logs"], ["trace", "Calls and spans"], ["log", "Logs"]], p.get("type"));
	tSel.addEventListener("change", () => setP("type", tSel.value));
	const rSel = select("f-range", RANGES.filter(([v]) => v !== "custom" && v !== "30d"), p.get("range"));
	rSel.addEventListener("change", () => setP("range", rSel.value));
	const toolbar = h("div", { class: "toolbar" }, q, tSel, rSel);
	const tbody = h("tbody");
	const table = h("table", { class: "list timeline" }, tableHead(["Time", "Kind", "Title", "Source", "Model", ["Tokens", "num"], ["Cost", "num"], ["Duration", "num"], "Status"]), tbody);
	const body = h("div", { class: "table-wrap" }, loadingBox());
	root.append(toolbar, body);
	const sel = selection(() => tbody.querySelectorAll("tr[data-id]"), (tr) => ctx.go(tr.dataset.href));
	tbody.addEventListener("click", (e) => { const tr = e.target.closest("tr[data-id]"); if (tr) sel.click(tr); });

	let shown = null;
	async function fetchItems() {
		const range = rangeParams(p);
		const type = p.get("type");
		try {
			return await api("/timeline", { limit: 100, q: p.get("q"), type, date_from: range.date_from });
		} catch (e) {
			if (!(e instanceof NotAvailable)) throw e;
		}
		// Older API: merge calls/spans and logs here.
		const items = [];
		if (type !== "log") {
			const rows = await api("/traces", { limit: 100, q: p.get("q"), date_from: range.date_from });
			for (const r of rows) items.push({ id: r.id, type: "trace", timestamp: r.timestamp, title: r.span_name || r.model || "LLM request", subtitle: r.service_name || r.provider, model: r.model, status: r.status, duration_ms: r.duration_ms, tokens: r.total_tokens, cost: r.estimated_cost, data: r });
		}
		if (type !== "trace") {
			try {
				const lg = await api("/logs", { limit: 100, q: p.get("q") });
				for (const l of lg.logs || []) {
					if (range.date_from && l.timestamp < range.date_from) continue;
					items.push({ id: l.id, type: "log", timestamp: l.timestamp, title: l.event_name || String(l.body || "").slice(0, 80) || "Log", subtitle: l.service_name, severity_text: l.severity_text, data: l });
				}
			} catch (e) {
				if (!(e instanceof NotAvailable)) throw e;
			}
		}
		items.sort((a, b) => b.timestamp - a.timestamp);
		return items.slice(0, 100);
	}
	async function load() {
		const items = await guarded(body, "Timeline", "/api/timeline", fetchItems);
		if (!items) return;
		const fresh = shown ? new Set(items.filter((i) => !shown.has(i.type + i.id)).map((i) => i.type + i.id)) : new Set();
		shown = new Set(items.map((i) => i.type + i.id));
		clear(tbody);
		for (const it of items) {
			const d = it.data || {};
			const isLog = it.type === "log";
			const sev = (it.severity_text || d.severity_text || "").toUpperCase();
			tbody.appendChild(h("tr", { dataset: { id: it.type + ":" + it.id, ts: it.timestamp, href: isLog ? "#logs/" + encodeURIComponent(it.id) : "#traces/" + encodeURIComponent(it.id) }, class: fresh.has(it.type + it.id) ? "fresh" : null },
				timeCell(it.timestamp),
				h("td", null, isLog ? h("span", { class: "badge sev sev-" + sevClass(d.severity_number, sev) }, sev || "LOG") : badge(d.span_type || "llm")),
				h("td", { class: "name" }, h("div", { class: "cell" }, h("span", { class: "name-text" }, it.title || DASH), isLog && d.body && it.title !== d.body ? h("span", { class: "svc name-text" }, String(d.body).slice(0, 120)) : null)),
				h("td", { class: "muted" }, it.subtitle || it.service_name || ""),
				h("td", { class: "model" }, it.model || ""),
				num(isLog ? "" : it.tokens == null ? DASH : fmtInt(it.tokens)),
				h("td", { class: "num" }, isLog ? "" : d.span_type === "llm" || it.model ? costNode(it.cost, d.cost_source) : DASH),
				num(isLog ? "" : fmtMs(it.duration_ms)),
				h("td", { class: "status" }, isLog ? "" : statusNode(it.status, d.error))));
		}
		sel.restore();
		if (!items.length) {
			const st = ctx.stats();
			fill(body, p.get("q") || p.get("type") || p.get("range") ? emptyFiltered(null, "events") : st && st.total_requests > 0 ? emptyFiltered(null, "events") : onboarding());
		} else if (!table.isConnected) fill(body, table);
	}
	load();
	return {
		poll: ({ changed, force }) => (changed || force || p.get("type") === "log" ? load() : null),
		move: sel.move, open: sel.open, search: () => q.querySelector("input").focus(),
	};
}

function sevClass(n, text) {
	n = Number(n) || { TRACE: 1, DEBUG: 5, INFO: 9, WARN: 13, WARNING: 13, ERROR: 17, FATAL: 21 }[text] || 0;
	return n >= 17 ? "error" : n >= 13 ? "warn" : n >= 9 ? "info" : "debug";
}

// ------------------------------------------------------------ Sessions

function sessionsView(root, ctx) {
	return ctx.route.id ? sessionDetail(root, ctx) : sessionList(root, ctx);
}

function sessionList(root, ctx) {
	const p = ctx.route.params;
	const offset = Number(p.get("offset")) || 0;
	const tbody = h("tbody");
	const table = h("table", { class: "list" }, tableHead(["Session", "Agent / service", ["Traces", "num"], ["Tokens", "num"], ["Cost", "num"], "First seen", "Last seen", ["Duration", "num"]]), tbody);
	const body = h("div", { class: "table-wrap" }, loadingBox());
	const foot = h("div", { class: "foot" });
	root.append(h("div", { class: "toolbar" }, h("h2", { class: "view-title" }, "Sessions"), h("span", { class: "muted small" }, "Calls grouped by session.id (OpenTelemetry) or the session your SDK sends")), body, foot);
	const sel = selection(() => tbody.querySelectorAll("tr[data-id]"), (tr) => ctx.go("#sessions/" + encodeURIComponent(tr.dataset.id)));
	tbody.addEventListener("click", (e) => { const tr = e.target.closest("tr[data-id]"); if (tr) sel.click(tr); });
	async function load() {
		const r = await guarded(body, "Sessions", "/api/sessions", () => api("/sessions", { limit: PAGE, offset }));
		if (!r) return;
		const list = r.sessions || [];
		clear(tbody);
		for (const s of list) {
			tbody.appendChild(h("tr", { dataset: { id: s.session_id } },
				h("td", { class: "mono" }, s.session_id),
				h("td", null, s.agent_name || s.service_name || DASH),
				num(fmtInt(s.trace_count)), num(fmtInt(s.total_tokens)), h("td", { class: "num" }, fmtUsd(s.total_cost)),
				h("td", { class: "time", title: fmtDateTime(s.first_seen) }, fmtTime(s.first_seen)),
				h("td", { class: "time", title: fmtDateTime(s.last_seen) }, fmtAgo(s.last_seen)),
				num(fmtMs(s.last_seen - s.first_seen))));
		}
		sel.restore();
		if (!list.length) fill(body, h("div", { class: "empty-filtered" }, h("p", null, "No sessions yet. Spans carrying a session.id attribute (OpenTelemetry) are grouped here.")));
		else if (!table.isConnected) fill(body, table);
		fill(foot, h("div", { class: "pager" },
			h("button", { class: "btn", type: "button", disabled: offset <= 0, onclick: () => { ctx.go(offset - PAGE > 0 ? "#sessions?offset=" + (offset - PAGE) : "#sessions"); } }, "← Newer"),
			h("span", { class: "muted" }, r.total != null ? `${fmtInt(list.length ? offset + 1 : 0)}–${fmtInt(offset + list.length)} of ${fmtInt(r.total)}` : ""),
			h("button", { class: "btn", type: "button", disabled: r.total != null ? offset + list.length >= r.total : list.length < PAGE, onclick: () => ctx.go("#sessions?offset=" + (offset + PAGE)) }, "Older →")));
	}
	load();
	return { poll: ({ changed }) => (changed && offset === 0 ? load() : null), move: sel.move, open: sel.open };
}

function sessionDetail(root, ctx) {
	const id = ctx.route.id;
	const body = h("div", null, loadingBox());
	root.append(h("div", { class: "crumbs" }, h("a", { href: "#sessions" }, "Sessions"), h("span", null, "/"), h("span", { class: "mono" }, id)), body);
	const tbody = h("tbody");
	const sel = selection(() => tbody.querySelectorAll("tr[data-id]"), (tr) => ctx.go("#traces/" + encodeURIComponent(tr.dataset.span || tr.dataset.id)));
	tbody.addEventListener("click", (e) => { const tr = e.target.closest("tr[data-id]"); if (tr) sel.click(tr); });
	async function load() {
		const s = await guarded(body, "Sessions", "/api/sessions/:id", () => api("/sessions/" + encodeURIComponent(id)));
		if (!s) return;
		// A trace opens by one of its span ids; find the roots when the API can filter by session.
		const roots = new Map();
		if (await supportsFilter("session_id")) {
			try {
				for (const r of await api("/traces", { session_id: id, limit: 1000 })) {
					if (!roots.has(r.trace_id) || !r.parent_id) roots.set(r.trace_id, { id: r.id, name: r.span_name, root: !r.parent_id });
				}
			} catch { /* open by trace id */ }
		}
		const sum = s.summary || {};
		clear(tbody);
		for (const t of s.traces || []) {
			const root0 = roots.get(t.trace_id);
			tbody.appendChild(h("tr", { dataset: { id: t.trace_id, span: root0 ? root0.id : null } },
				h("td", { class: "time", title: fmtDateTime(t.started_at) }, fmtTime(t.started_at)),
				h("td", { class: "name" }, h("span", { class: "name-text" }, (root0 && root0.name) || "trace"), h("span", { class: "svc mono" }, t.trace_id)),
				num(fmtInt(t.span_count)), num(fmtInt(t.tokens)), h("td", { class: "num" }, fmtUsd(t.cost)),
				num(fmtMs(t.ended_at - t.started_at)),
				h("td", null, t.has_error ? h("span", { class: "status err" }, h("i"), "error") : h("span", { class: "status ok" }, h("i"), "ok"))));
		}
		fill(body,
			h("div", { class: "cards" },
				card("Traces", fmtInt((s.traces || []).length)), card("Spans", fmtInt(sum.spans)), card("Tokens", fmtInt(sum.tokens)),
				card("Cost", fmtUsd(sum.cost)), card("Errors", fmtInt(sum.errors), sum.errors ? "bad" : null)),
			h("div", { class: "table-wrap" }, h("table", { class: "list" }, tableHead(["Started", "Trace", ["Spans", "num"], ["Tokens", "num"], ["Cost", "num"], ["Duration", "num"], "Status"]), tbody)));
		sel.restore();
	}
	load();
	return { move: sel.move, open: sel.open, back: () => ctx.go("#sessions") };
}

function card(label, value, cls, sub) {
	return h("div", { class: "card" + (cls ? " " + cls : "") }, h("div", { class: "card-label" }, label), h("div", { class: "card-value" }, value), sub ? h("div", { class: "card-sub" }, sub) : null);
}

// ------------------------------------------------------------ Logs

const SEVERITIES = [["", "Any severity"], ["5", "DEBUG and up"], ["9", "INFO and up"], ["13", "WARN and up"], ["17", "ERROR and up"], ["21", "FATAL"]];

function logsView(root, ctx) {
	if (ctx.route.id) return logDetail(root, ctx);
	const p = ctx.route.params;
	const offset = Number(p.get("offset")) || 0;
	const setP = (k, v) => {
		const np = new URLSearchParams(p);
		if (v) np.set(k, v); else np.delete(k);
		np.delete("offset");
		ctx.setParams(np);
		window.dispatchEvent(new HashChangeEvent("hashchange"));
	};
	const q = searchBox("f-q", p.get("q"), "Search log bodies and attributes…");
	q.querySelector("input").addEventListener("input", debounce((e) => setP("q", e.target.value.trim()), 300));
	const svc = select("f-service", [["", "All services"]], p.get("service"));
	svc.addEventListener("change", () => setP("service", svc.value));
	const ev = select("f-event", [["", "All events"]], p.get("event"));
	ev.addEventListener("change", () => setP("event", ev.value));
	const sev = select("f-severity", SEVERITIES, p.get("severity"));
	sev.addEventListener("change", () => setP("severity", sev.value));
	const count = h("span", { class: "muted small count" });
	root.append(h("div", { class: "toolbar" }, q, svc, ev, sev, count));
	const tbody = h("tbody");
	const table = h("table", { class: "list logs" }, tableHead(["Time", "Severity", "Service", "Event", "Message", "Trace"]), tbody);
	const body = h("div", { class: "table-wrap" }, loadingBox());
	const foot = h("div", { class: "foot" });
	root.append(body, foot);
	const sel = selection(() => tbody.querySelectorAll("tr[data-id]"), (tr) => ctx.go("#logs/" + encodeURIComponent(tr.dataset.id)));
	tbody.addEventListener("click", (e) => { if (e.target.closest("a")) return; const tr = e.target.closest("tr[data-id]"); if (tr) sel.click(tr); });

	api("/logs/filters").then((f) => {
		for (const s of f.services || []) if (s && ![...svc.options].some((o) => o.value === s)) svc.appendChild(h("option", { value: s }, s));
		for (const s of f.event_names || []) if (s && ![...ev.options].some((o) => o.value === s)) ev.appendChild(h("option", { value: s }, s));
		svc.value = p.get("service") || "";
		ev.value = p.get("event") || "";
	}, () => {});

	let shown = null;
	async function load() {
		const r = await guarded(body, "Logs", "/api/logs", () => api("/logs", { limit: 100, offset, q: p.get("q"), service_name: p.get("service"), event_name: p.get("event"), severity_min: p.get("severity") }));
		if (!r) return;
		const logs = r.logs || [];
		const fresh = shown ? new Set(logs.filter((l) => !shown.has(l.id)).map((l) => l.id)) : new Set();
		shown = new Set(logs.map((l) => l.id));
		clear(tbody);
		for (const l of logs) {
			const st = (l.severity_text || "").toUpperCase() || sevName(l.severity_number);
			tbody.appendChild(h("tr", { dataset: { id: l.id, ts: l.timestamp }, class: fresh.has(l.id) ? "fresh" : null },
				timeCell(l.timestamp),
				h("td", null, h("span", { class: "badge sev sev-" + sevClass(l.severity_number, st) }, st || DASH)),
				h("td", { class: "service" }, l.service_name || ""),
				h("td", { class: "event mono" }, l.event_name || ""),
				h("td", { class: "body" }, typeof l.body === "string" ? l.body : JSON.stringify(l.body)),
				h("td", null, l.span_id || l.trace_id ? traceLink(l.span_id, l.trace_id, { cls: "mono small", title: "Open the trace", text: String(l.trace_id || l.span_id).slice(0, 8) }) : "")));
		}
		sel.restore();
		count.textContent = r.total != null && !p.get("q") && !p.get("severity") ? fmtInt(r.total) + " logs" : "";
		if (!logs.length) fill(body, p.get("q") || p.get("service") || p.get("event") || p.get("severity") ? emptyFiltered(null, "logs") : h("div", { class: "empty-filtered" }, h("p", null, "No logs yet. Send OpenTelemetry logs (OTLP/HTTP) to this server's /v1/logs.")));
		else if (!table.isConnected) fill(body, table);
		fill(foot, h("div", { class: "pager" },
			h("button", { class: "btn", type: "button", disabled: offset <= 0, onclick: () => setOffset(offset - 100) }, "← Newer"),
			h("span", { class: "muted" }, logs.length ? `${fmtInt(offset + 1)}–${fmtInt(offset + logs.length)}` : DASH),
			h("button", { class: "btn", type: "button", disabled: logs.length < 100, onclick: () => setOffset(offset + 100) }, "Older →")));
	}
	const setOffset = (o) => {
		const np = new URLSearchParams(p);
		if (o > 0) np.set("offset", o); else np.delete("offset");
		ctx.setParams(np);
		window.dispatchEvent(new HashChangeEvent("hashchange"));
	};
	load();
	return { poll: () => (offset === 0 ? load() : null), move: sel.move, open: sel.open, search: () => q.querySelector("input").focus() };
}

function sevName(n) {
	n = Number(n);
	if (!n) return "";
	return n >= 21 ? "FATAL" : n >= 17 ? "ERROR" : n >= 13 ? "WARN" : n >= 9 ? "INFO" : n >= 5 ? "DEBUG" : "TRACE";
}

function kvTable(obj) {
	obj = parseMaybe(obj);
	if (!obj || typeof obj !== "object" || !Object.keys(obj).length) return h("p", { class: "muted small" }, "none");
	return h("table", { class: "kv" }, Object.entries(obj).map(([k, v]) =>
		h("tr", null, h("th", null, k), h("td", null, typeof v === "object" && v !== null ? jsonView(v) : String(v)))));
}

function logDetail(root, ctx) {
	const id = ctx.route.id;
	const body = h("div", null, loadingBox());
	root.append(h("div", { class: "crumbs" }, h("a", { href: "#logs" }, "Logs"), h("span", null, "/"), h("span", { class: "mono" }, id)), body);
	guarded(body, "Logs", "/api/logs/:id", async () => {
		const l = await api("/logs/" + encodeURIComponent(id));
		const st = (l.severity_text || "").toUpperCase() || sevName(l.severity_number);
		const b = parseMaybe(l.body);
		fill(body, h("div", { class: "panel" },
			h("div", { class: "panel-head" }, h("span", { class: "badge sev sev-" + sevClass(l.severity_number, st) }, st || "LOG"),
				h("h2", null, l.event_name || "Log record"), h("span", { class: "muted" }, fmtDateTime(l.timestamp))),
			h("dl", { class: "facts" },
				fact("Service", l.service_name), fact("Scope", l.scope_name), fact("Severity", (st || DASH) + (l.severity_number ? " (" + l.severity_number + ")" : "")),
				fact("Trace", l.trace_id ? traceLink(l.span_id, l.trace_id, { text: l.trace_id }) : null),
				fact("Span", l.span_id, "mono"), fact("Observed", l.observed_timestamp ? fmtDateTime(l.observed_timestamp) : null)),
			h("h3", null, "Body"), typeof b === "string" ? h("pre", { class: "text-block" }, b) : jsonView(b),
			h("h3", null, "Attributes"), kvTable(l.attributes),
			h("h3", null, "Resource"), kvTable(l.resource_attributes)));
	});
	return { back: () => ctx.go("#logs") };
}

export function fact(label, value, cls) {
	return h("div", { class: "fact" }, h("dt", null, label), h("dd", { class: cls || null }, value == null || value === "" ? DASH : value));
}

// ------------------------------------------------------------ Metrics

function metricsView(root, ctx) {
	const p = ctx.route.params;
	const setP = (k, v) => {
		const np = new URLSearchParams(p);
		if (v) np.set(k, v); else np.delete(k);
		ctx.setParams(np);
		window.dispatchEvent(new HashChangeEvent("hashchange"));
	};
	const cards = h("div", { class: "cards metric-cards" }, loadingBox());
	const chartCard = h("section", { class: "panel" });
	const nameSel = select("f-name", [["", "All metrics"]], p.get("name"));
	nameSel.addEventListener("change", () => setP("name", nameSel.value));
	const svcSel = select("f-service", [["", "All services"]], p.get("service"));
	svcSel.addEventListener("change", () => setP("service", svcSel.value));
	const typeSel = select("f-mtype", [["", "All types"], "sum", "gauge", "histogram", "exponential_histogram", "summary"], p.get("type"));
	typeSel.addEventListener("change", () => setP("type", typeSel.value));
	const tbody = h("tbody");
	const tbl = h("div", { class: "table-wrap" }, loadingBox());
	root.append(cards, chartCard, h("div", { class: "toolbar" }, h("h3", { class: "view-title" }, "Data points"), nameSel, svcSel, typeSel), tbl);

	api("/metrics/filters").then((f) => {
		for (const n of f.names || []) if (![...nameSel.options].some((o) => o.value === n)) nameSel.appendChild(h("option", { value: n }, n));
		for (const s of f.services || []) if (s && ![...svcSel.options].some((o) => o.value === s)) svcSel.appendChild(h("option", { value: s }, s));
		nameSel.value = p.get("name") || "";
		svcSel.value = p.get("service") || "";
	}, () => {});

	async function summary() {
		let list;
		try {
			list = await api("/metrics/summary");
		} catch (e) {
			if (!(e instanceof NotAvailable)) throw e;
			list = (await api("/metrics", { aggregation: "summary" })).summary;
		}
		return Array.isArray(list) ? list : list && list.summary || [];
	}
	let chosen = p.get("name");
	guarded(cards, "Metrics", "/api/metrics", async () => {
		const list = await summary();
		clear(cards);
		if (!list.length) {
			cards.appendChild(h("div", { class: "empty-filtered" }, h("p", null, "No metrics yet. Send OpenTelemetry metrics (OTLP/HTTP) to this server's /v1/metrics.")));
			chartCard.hidden = true;
			return;
		}
		if (!chosen) chosen = list[0].name;
		for (const m of list.slice(0, 12)) {
			const val = m.metric_type === "gauge" ? (m.avg_double != null ? m.avg_double : m.sum_int) : (m.sum_int != null && m.sum_int !== 0 ? m.sum_int : m.avg_double);
			const c = card(m.name, val == null ? DASH : fmtCompact(val), m.name === chosen ? "chosen clickable" : "clickable",
				[(m.service_name || "—"), " · ", m.metric_type, " · ", fmtInt(m.data_points), " points"].join(""));
			c.title = m.metric_type === "gauge" ? "average value" : "sum of values";
			c.dataset.name = m.name;
			c.tabIndex = 0;
			c.addEventListener("click", () => { chosen = m.name; for (const x of cards.children) x.classList.toggle("chosen", x.dataset.name === chosen); drawChart(); });
			cards.appendChild(c);
		}
		drawChart();
	});

	async function drawChart() {
		clear(chartCard);
		const title = h("h3", null, chosen + " over time");
		chartCard.append(h("div", { class: "panel-head" }, title));
		const r = await api("/metrics", { name: chosen, limit: 1000 }).catch(() => null);
		const pts = (r && r.metrics) || [];
		const series = new Map();
		for (const m of pts) {
			const k = m.service_name || "—";
			let y = m.value_double != null ? m.value_double : m.value_int;
			if (m.metric_type === "histogram" && m.value_int) y = m.value_double / m.value_int;
			if (!series.has(k)) series.set(k, []);
			series.get(k).push({ x: m.timestamp, y });
		}
		const labels = [...new Set(pts.map((m) => m.timestamp))].sort((a, b) => a - b);
		const unit = pts[0] && pts[0].unit;
		if (unit) title.appendChild(h("span", { class: "muted small" }, " " + unit));
		const ch = chart((c) => ({
			type: "line",
			data: {
				labels: labels.map((t) => fmtTime(t)),
				datasets: [...series.entries()].map(([k, arr], i) => {
					const by = new Map(arr.map((d) => [d.x, d.y]));
					return { label: k, data: labels.map((t) => (by.has(t) ? by.get(t) : null)), borderColor: c.series[i % 8], backgroundColor: c.series[i % 8], spanGaps: true, pointRadius: 0, borderWidth: 1.6, cubicInterpolationMode: "monotone" };
				}),
			},
			options: { interaction: { mode: "index", intersect: false }, scales: axes(c, { yFormat: fmtNum }), plugins: { legend: { position: "bottom", labels: { boxWidth: 8, boxHeight: 8, usePointStyle: true } }, tooltip: tooltip(c) } },
		}), { label: chosen + " over time" });
		chartCard.appendChild(ch.el);
	}

	const load = () => guarded(tbl, "Metrics", "/api/metrics", async () => {
		const r = await api("/metrics", { limit: 100, name: p.get("name"), service_name: p.get("service"), metric_type: p.get("type") });
		clear(tbody);
		for (const m of r.metrics || []) {
			const v = m.metric_type === "histogram" ? `count ${fmtInt(m.value_int)} · sum ${fmtCompact(m.value_double)}` : m.value_double != null ? String(+Number(m.value_double).toPrecision(6)) : fmtInt(m.value_int);
			tbody.appendChild(h("tr", { dataset: { id: m.id } }, timeCell(m.timestamp), h("td", { class: "mono" }, m.name), h("td", { class: "service" }, m.service_name || ""),
				h("td", null, h("span", { class: "badge plain" }, m.metric_type || "")), h("td", { class: "num" }, v), h("td", { class: "muted" }, m.unit || ""),
				h("td", { class: "attrs muted small" }, attrsSummary(m.attributes)), h("td", null, exemplarLink(m.histogram_data))));
		}
		if (!(r.metrics || []).length) fill(tbl, emptyFiltered(null, "data points"));
		else fill(tbl, h("table", { class: "list" }, tableHead(["Time", "Metric", "Service", "Type", ["Value", "num"], "Unit", "Attributes", "Exemplar"]), tbody));
	});
	load();
	return { poll: ({ force }) => (force ? load() : null) };
}

// The trace of a data point's first exemplar that names one.
function exemplarLink(data) {
	const d = parseMaybe(data);
	const ex = d && Array.isArray(d.exemplars) ? d.exemplars.find((e) => e && (e.span_id || e.trace_id)) : null;
	if (!ex) return "";
	return traceLink(ex.span_id, ex.trace_id, { cls: "mono small exemplar", title: "Open the trace this measurement was taken in" + (ex.value != null ? " (value " + ex.value + ")" : ""),
		text: String(ex.trace_id || ex.span_id).slice(0, 8) });
}

function attrsSummary(a) {
	a = parseMaybe(a);
	if (!a || typeof a !== "object") return "";
	return Object.entries(a).slice(0, 4).map(([k, v]) => k + "=" + (typeof v === "object" ? JSON.stringify(v) : v)).join("  ");
}

// ------------------------------------------------------------ Models

function modelsView(root, ctx) {
	const body = h("div", null, loadingBox());
	root.append(h("div", { class: "toolbar" }, h("h2", { class: "view-title" }, "Models"), h("span", { class: "muted small" }, "Every model that answered, with its real token counts, cost and latency")), body);
	const tbody = h("tbody");
	const sel = selection(() => tbody.querySelectorAll("tr[data-id]"), (tr) => ctx.go("#traces?model=" + encodeURIComponent(tr.dataset.id)));
	tbody.addEventListener("click", (e) => { const tr = e.target.closest("tr[data-id]"); if (tr) sel.click(tr); });
	async function load() {
		let rows, partial = false;
		try {
			rows = await api("/models");
		} catch (e) {
			if (!(e instanceof NotAvailable)) { fill(body, errorBox(e)); return; }
			// Older API: what /api/stats knows (no latency, no token split).
			const st = await api("/stats").catch(() => null);
			if (!st) { fill(body, notAvailable("Models", "/api/models")); return; }
			partial = true;
			rows = (st.models || []).filter((m) => m.model).map((m) => ({ model: m.model, request_count: m.count, total_tokens: m.tokens, total_cost: m.unpriced === m.count ? null : m.cost, unpriced: m.unpriced }));
		}
		if (!Array.isArray(rows)) rows = rows.models || [];
		rows = rows.filter((m) => m.model);
		const maxCost = Math.max(0, ...rows.map((m) => Number(m.total_cost) || 0));
		const maxReq = Math.max(1, ...rows.map((m) => Number(m.request_count) || 0));
		clear(tbody);
		for (const m of rows) {
			const share = maxCost > 0 ? (Number(m.total_cost) || 0) / maxCost : 0;
			tbody.appendChild(h("tr", { dataset: { id: m.model } },
				h("td", { class: "model strong" }, m.model),
				h("td", { class: "muted" }, m.provider || ""),
				h("td", { class: "num" }, fmtInt(m.request_count), h("span", { class: "bar-inline", style: { width: Math.round(40 * (m.request_count || 0) / maxReq) + "px" } })),
				num(m.prompt_tokens == null ? DASH : fmtInt(m.prompt_tokens)),
				num(m.completion_tokens == null ? DASH : fmtInt(m.completion_tokens)),
				num(fmtInt(m.total_tokens)),
				h("td", { class: "num" }, m.total_cost == null ? h("span", { class: "unpriced" }, "unpriced") : fmtUsd(m.total_cost),
					m.unpriced && m.total_cost != null ? h("span", { class: "unpriced-note" }, " +" + fmtInt(m.unpriced) + " unpriced") : null),
				h("td", { class: "share" }, h("span", { class: "share-bar" }, h("i", { style: { width: (share * 100).toFixed(1) + "%" } }))),
				num(m.avg_latency == null && m.avg_duration == null ? DASH : fmtMs(m.avg_latency != null ? m.avg_latency : m.avg_duration)),
				num(m.avg_ttft == null ? DASH : fmtMs(m.avg_ttft))));
		}
		const table = h("table", { class: "list" }, tableHead(["Model", "Provider", ["Calls", "num"], ["Prompt", "num"], ["Completion", "num"], ["Total tokens", "num"], ["Cost", "num"], "Cost share", ["Avg latency", "num"], ["Avg TTFT", "num"]]), tbody);
		fill(body, rows.length ? h("div", { class: "table-wrap" }, table) : onboarding(),
			partial ? h("p", { class: "muted small note" }, "This API version has no /api/models; figures come from /api/stats (no token split or latency).") : null);
		sel.restore();
	}
	load();
	return { poll: ({ changed }) => (changed ? load() : null), move: sel.move, open: sel.open };
}

// ------------------------------------------------------------ Analytics

function analyticsView(root, ctx) {
	const p = ctx.route.params;
	const days = [7, 14, 30, 90].includes(Number(p.get("days"))) ? Number(p.get("days")) : 30;
	const interval = p.get("interval") === "hour" ? "hour" : "day";
	const setP = (k, v) => {
		const np = new URLSearchParams(p);
		np.set(k, v);
		ctx.setParams(np);
		window.dispatchEvent(new HashChangeEvent("hashchange"));
	};
	const seg = (items, cur, key) => h("div", { class: "seg", role: "group" }, items.map(([v, t]) =>
		h("button", { type: "button", class: "seg-btn", dataset: { [key]: v }, attrs: { "aria-pressed": String(String(cur) === String(v)) }, onclick: () => setP(key, v) }, t)));
	root.append(h("div", { class: "toolbar" },
		h("h2", { class: "view-title" }, "Analytics"),
		seg([["7", "7 days"], ["14", "14 days"], ["30", "30 days"], ["90", "90 days"]], days, "days"),
		seg([["hour", "Hourly"], ["day", "Daily"]], interval, "interval"),
		h("button", { class: "btn ghost", type: "button", onclick: () => window.dispatchEvent(new HashChangeEvent("hashchange")) }, "Refresh")));
	const cards = h("div", { class: "cards" });
	const grid = h("div", { class: "grid2" });
	const daily = h("section", { class: "panel" });
	const body = h("div", null, loadingBox());
	root.append(body);

	(async () => {
		const get = (path, params) => api(path, params).then((v) => v, (e) => (e instanceof NotAvailable ? null : Promise.reject(e)));
		let trends, dailyR, byModel, byTool;
		try {
			[trends, dailyR, byModel, byTool] = await Promise.all([
				get("/analytics/token-trends", { interval, days }),
				get("/analytics/daily", { days }),
				get("/analytics/cost-by-model", { days }),
				get("/analytics/cost-by-tool", { days }),
			]);
		} catch (e) {
			fill(body, errorBox(e));
			return;
		}
		if (!trends && !dailyR && !byModel && !byTool) { fill(body, notAvailable("Analytics", "/api/analytics")); return; }
		fill(body, cards, grid, daily);
		const d = (dailyR && dailyR.daily) || [];
		const tot = d.reduce((a, x) => ({ tokens: a.tokens + (x.tokens || 0), cost: a.cost + (x.cost || 0), requests: a.requests + (x.requests || 0) }), { tokens: 0, cost: 0, requests: 0 });
		if (dailyR) {
			cards.append(card("Requests", fmtInt(tot.requests), null, "last " + days + " days"), card("Tokens", fmtCompact(tot.tokens), null, fmtInt(tot.tokens)),
				card("Cost", fmtUsd(tot.cost), null, "priced calls only"), card("Per request", tot.requests ? fmtUsd(tot.cost / tot.requests) : DASH, null, "average cost"),
				card("Per day", fmtUsd(tot.cost / days), null, "average cost"));
		}
		const panel = (title, sub, content, wide) => h("section", { class: "panel" + (wide ? " wide" : "") }, h("div", { class: "panel-head" }, h("h3", null, title), sub ? h("span", { class: "muted small" }, sub) : null), content);
		const tr = (trends && trends.trends) || [];
		const lbl = (x) => (interval === "hour" ? String(x.label || "").slice(5) : String(x.label || x.date || "").slice(5));
		if (trends) {
			grid.appendChild(panel("Tokens", interval === "hour" ? "per hour" : "per day", tr.length ? chart((c) => ({
				type: "bar",
				data: { labels: tr.map(lbl), datasets: [
					{ label: "Prompt", data: tr.map((x) => x.prompt_tokens || 0), backgroundColor: c.prompt, borderRadius: 2, maxBarThickness: 28 },
					{ label: "Completion", data: tr.map((x) => x.completion_tokens || 0), backgroundColor: c.completion, borderRadius: 2, maxBarThickness: 28 }] },
				options: { interaction: { mode: "index", intersect: false }, scales: axes(c, { stacked: true, yFormat: fmtCompact }), plugins: { legend: { position: "bottom", labels: { boxWidth: 8, boxHeight: 8, usePointStyle: true } }, tooltip: tooltip(c, (i) => i.dataset.label + ": " + fmtInt(i.raw)) } },
			}), { label: "Tokens over time" }).el : emptyChart(), true));
			grid.appendChild(panel("Cost", interval === "hour" ? "per hour, priced calls" : "per day, priced calls", tr.length ? chart((c) => ({
				type: "line",
				data: { labels: tr.map(lbl), datasets: [{ label: "Cost", data: tr.map((x) => x.total_cost || 0), borderColor: c.cost, backgroundColor: c.cost + "22", fill: true, pointRadius: 0, borderWidth: 1.8, cubicInterpolationMode: "monotone" }] },
				options: { interaction: { mode: "index", intersect: false }, scales: axes(c, { yFormat: fmtUsd }), plugins: { legend: { display: false }, tooltip: tooltip(c, (i) => fmtUsd(i.raw)) } },
			}), { label: "Cost over time" }).el : emptyChart(), true));
		}
		const hbar = (rows, labelOf, title, sub) => {
			rows = rows.filter((x) => (x.total_cost || 0) > 0 || (x.total_tokens || 0) > 0).slice(0, 8);
			return panel(title, sub, rows.length ? chart((c) => ({
				type: "bar",
				data: { labels: rows.map(labelOf), datasets: [{ label: "Cost", data: rows.map((x) => x.total_cost || 0), backgroundColor: rows.map((_, i) => c.series[i % 8]), borderRadius: 3, maxBarThickness: 22 }] },
				options: { indexAxis: "y", scales: noSkip(axes(c, { horizontal: true, yFormat: fmtUsd })), plugins: { legend: { display: false }, tooltip: tooltip(c, (i) => fmtUsd(i.raw) + " · " + fmtInt(rows[i.dataIndex].request_count) + " calls · " + fmtCompact(rows[i.dataIndex].total_tokens) + " tokens") } },
			}), { label: title }).el : emptyChart());
		};
		if (byModel) grid.appendChild(hbar(byModel.by_model || [], (x) => x.model || "unknown", "Cost by model", "top 8"));
		if (byTool) grid.appendChild(hbar(byTool.by_tool || [], (x) => [x.provider, x.service_name].filter((v) => v && v !== "unknown").join(" · ") || "unknown", "Cost by provider / tool", "provider · service"));
		if (dailyR) {
			const tb = h("tbody");
			for (const x of [...d].reverse()) {
				tb.appendChild(h("tr", { dataset: { id: x.date || String(x.bucket) }, class: x.requests ? null : "zero" },
					h("td", { class: "mono" }, x.date || fmtTime(x.bucket)), num(fmtInt(x.requests)), num(fmtInt(x.tokens)), h("td", { class: "num" }, fmtUsd(x.cost)),
					h("td", { class: "share" }, h("span", { class: "share-bar" }, h("i", { style: { width: (tot.cost ? 100 * (x.cost || 0) / Math.max(...d.map((y) => y.cost || 0)) : 0).toFixed(1) + "%" } })))));
			}
			daily.append(h("div", { class: "panel-head" }, h("h3", null, "Daily"), h("span", { class: "muted small" }, "UTC days")),
				h("table", { class: "list compact" }, tableHead(["Date", ["Requests", "num"], ["Tokens", "num"], ["Cost", "num"], ""]), tb));
		}
	})();
	return {};
}

function noSkip(sc) {
	sc.y.ticks.autoSkip = false;
	return sc;
}

function fmtNum(v) {
	const a = Math.abs(v);
	if (a >= 10000) return fmtCompact(v);
	if (Number.isInteger(v)) return fmtInt(v);
	return String(+Number(v).toPrecision(a < 10 ? 2 : 3));
}

function emptyChart() {
	return h("div", { class: "chart-empty muted small" }, "No priced calls in this period.");
}

export const VIEWS = {
	timeline: timelineView,
	traces: tracesView,
	sessions: sessionsView,
	logs: logsView,
	metrics: metricsView,
	models: modelsView,
	analytics: analyticsView,
};
