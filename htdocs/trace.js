// Trace detail: the whole span tree as a waterfall on one time axis (only
// the rows in view are in the DOM, so 5,000 spans stay fast) and a panel
// with the selected span: facts, tokens, cost, messages, bodies.
import {
	api, ApiError, badge, clear, copyButton, costNode, DASH, fill, fmtDateTime, fmtInt, fmtMs, fmtUsd, h,
	jsonView, NotAvailable, parseMaybe, statusNode, traceLink, typeClass,
} from "./util.js";

const ROW = 26;       // px per waterfall row (CSS .wf-row height)
const OVERSCAN = 12;

function backHash() {
	const a = document.getElementById("tab-traces");
	return (a && a.getAttribute("href")) || "#traces";
}

export function traceDetail(root, ctx) {
	const id = ctx.route.id;
	const page = h("div", { class: "trace-page" });
	const crumbs = h("div", { class: "crumbs" }, h("a", { href: backHash() }, "Traces"), h("span", null, "/"), h("span", { class: "mono" }, id));
	const body = h("div", { class: "trace-body" }, h("div", { class: "loading" }, h("span", { class: "spinner" }), "Loading trace…"));
	page.append(crumbs, body);
	root.appendChild(page);
	const state = { wf: null };

	(async () => {
		let tree = null, note = null;
		try {
			tree = await api("/traces/" + encodeURIComponent(id) + "/tree");
		} catch (e) {
			if (e instanceof NotAvailable) {
				note = "This API version has no span tree (/api/traces/:id/tree); showing this call only.";
			} else if (!(e instanceof ApiError && e.status === 404)) {
				fill(body, errorNotice(e));
				return;
			}
		}
		let spans, detail = null;
		if (tree && Array.isArray(tree.spans)) {
			spans = flatten(tree.spans);
		} else {
			try {
				detail = await api("/traces/" + encodeURIComponent(id));
			} catch (e) {
				fill(body, e instanceof ApiError && e.status === 404
					? h("div", { class: "notice" }, h("strong", null, "No span with this id"), h("p", null, "It may have been deleted, or the link is wrong: "), h("code", null, id))
					: errorNotice(e));
				return;
			}
			spans = [{ ...detail.trace, _detail: detail }];
		}
		if (!spans.length) {
			fill(body, h("div", { class: "notice" }, h("strong", null, "This trace has no spans")));
			return;
		}
		state.wf = mount(body, spans, tree && tree.trace, id, note, ctx);
	})();

	return {
		move: (d) => state.wf && state.wf.move(d),
		fold: (open) => state.wf && state.wf.fold(open),
		open: () => state.wf && state.wf.toggleSelected(),
		back: () => ctx.go(backHash()),
		destroy: () => state.wf && state.wf.destroy(),
	};
}

function errorNotice(e) {
	return h("div", { class: "notice error" }, h("strong", null, "Could not load this trace"), h("p", null, String(e && e.message || e)));
}

// Spans may come nested (children arrays) or flat; either way rebuild the
// tree from parent_id, so a span whose parent is missing becomes a root.
function flatten(list) {
	const out = [];
	const stack = [...list].reverse();
	while (stack.length) {
		const s = stack.pop();
		const kids = Array.isArray(s.children) ? s.children : [];
		const copy = { ...s };
		delete copy.children;
		out.push(copy);
		for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
	}
	return out;
}

function buildTree(spans) {
	const byId = new Map();
	for (const s of spans) byId.set(s.id, { span: s, kids: [], depth: 0, parent: null });
	const roots = [];
	for (const n of byId.values()) {
		const p = n.span.parent_id && n.span.parent_id !== n.span.id ? byId.get(n.span.parent_id) : null;
		if (p) { n.parent = p; p.kids.push(n); } else roots.push(n);
	}
	const byStart = (a, b) => (a.span.timestamp - b.span.timestamp) || String(a.span.id).localeCompare(String(b.span.id));
	roots.sort(byStart);
	// Depths and child order, iteratively (deep traces must not overflow the stack).
	const st = [...roots];
	while (st.length) {
		const n = st.pop();
		n.kids.sort(byStart);
		for (const k of n.kids) { k.depth = n.depth + 1; st.push(k); }
	}
	return { roots, byId };
}

function mount(body, spans, info, wantedId, note, ctx) {
	const { roots, byId } = buildTree(spans);
	let t0 = Infinity, t1 = -Infinity;
	for (const s of spans) {
		const ts = Number(s.timestamp);
		t0 = Math.min(t0, ts);
		t1 = Math.max(t1, ts + (Number(s.duration_ms) || 0));
	}
	const total = Math.max(1, t1 - t0);
	const collapsed = new Set();
	let visible = [];
	let selected = byId.has(wantedId) ? wantedId : roots[0].span.id;

	function computeVisible() {
		visible = [];
		const st = [...roots].reverse();
		while (st.length) {
			const n = st.pop();
			visible.push(n);
			if (!collapsed.has(n.span.id)) for (let i = n.kids.length - 1; i >= 0; i--) st.push(n.kids[i]);
		}
	}
	computeVisible();

	// ---- header summary
	const root = roots[0].span;
	let tokens = 0, cost = 0, unpriced = 0, errors = 0, llm = 0;
	for (const s of spans) {
		tokens += Number(s.total_tokens) || 0;
		if (s.estimated_cost != null) cost += Number(s.estimated_cost);
		else if (s.span_type === "llm" || s.model) unpriced++;
		if (s.status >= 400 || s.error) errors++;
		if (s.span_type === "llm") llm++;
	}
	const traceId = (info && info.trace_id) || root.trace_id;
	const summary = h("div", { class: "trace-head" },
		h("div", { class: "trace-title" }, badge(root.span_type), h("h2", null, root.span_name || root.model || "LLM call"),
			root.service_name ? h("span", { class: "muted" }, root.service_name) : null),
		h("div", { class: "trace-stats" },
			stat("Duration", fmtMs(info && info.duration_ms != null ? info.duration_ms : total)),
			stat("Spans", fmtInt(spans.length)), stat("LLM calls", fmtInt(llm)), stat("Tokens", fmtInt(tokens)),
			stat("Cost", h("span", null, fmtUsd(cost), unpriced ? h("span", { class: "unpriced-note" }, " + " + unpriced + " unpriced") : null)),
			stat("Errors", fmtInt(errors), errors ? "bad" : null),
			stat("Started", fmtDateTime(t0)),
			root.session_id ? stat("Session", h("a", { href: "#sessions/" + encodeURIComponent(root.session_id), class: "mono" }, root.session_id)) : null,
			stat("Trace ID", h("span", { class: "mono" }, traceId || DASH, traceId ? copyButton(() => traceId, "Copy") : null))));

	// ---- waterfall
	const axis = h("div", { class: "wf-axis" });
	for (let i = 0; i <= 4; i++) axis.appendChild(h("span", { class: "wf-tick", style: { left: (i * 25) + "%" } }, fmtMs(total * i / 4)));
	const rowsEl = h("div", { class: "wf-rows" });
	const spacer = h("div", { class: "wf-spacer" }, rowsEl);
	const grid = h("div", { class: "wf-grid", attrs: { "aria-hidden": "true" } }, [1, 2, 3].map((i) => h("i", { style: { left: (i * 25) + "%" } })));
	const scroll = h("div", { class: "wf-scroll", tabIndex: 0 }, grid, spacer);
	const wf = h("div", { id: "wf", class: "wf", dataset: { count: String(spans.length) } },
		h("div", { class: "wf-head" }, h("div", { class: "wf-label-head" }, "Span", h("span", { class: "muted" }, fmtInt(spans.length))), axis), scroll);
	const panel = h("aside", { id: "span-panel", class: "span-panel" });
	const legend = h("div", { class: "wf-legend" }, [...new Set(spans.map((s) => s.span_type || "llm"))].map((t) => h("span", null, h("i", { class: "wf-dot " + typeClass(t) }), t)),
		llm ? h("span", null, h("i", { class: "wf-ttft-key" }), "first token") : null);
	fill(body, summary, note ? h("p", { class: "notice slim" }, note) : null, h("div", { class: "trace-layout" }, h("div", { class: "wf-col" }, wf, legend), panel));

	function rowEl(n) {
		const s = n.span;
		const ts = Number(s.timestamp), dur = Number(s.duration_ms) || 0;
		const left = (ts - t0) / total * 100;
		const width = dur / total * 100;
		const bar = h("div", { class: "wf-bar " + typeClass(s.span_type) + (s.status >= 400 || s.error ? " err" : ""), style: { left: left + "%", width: width + "%" } });
		if (s.ttft_ms != null && dur > 0 && (s.span_type === "llm" || s.model)) {
			const f = Math.min(100, Math.max(0, Number(s.ttft_ms) / dur * 100));
			bar.appendChild(h("span", { class: "wf-wait", style: { width: f + "%" } }));
			bar.appendChild(h("span", { class: "wf-ttft", style: { left: f + "%" }, title: "first token after " + fmtMs(s.ttft_ms) }));
		}
		const end = left + width;
		// The duration goes after the bar, or inside a long bar near the end, or before it.
		const durEl = end <= 82 ? h("span", { class: "wf-dur", style: { left: end + "%" } }, fmtMs(dur))
			: width >= 14 ? h("span", { class: "wf-dur inside", style: { right: (100 - end) + "%" } }, fmtMs(dur))
				: h("span", { class: "wf-dur", style: { right: (100 - left) + "%" } }, fmtMs(dur));
		const hasKids = n.kids.length > 0;
		const isCollapsed = collapsed.has(s.id);
		const label = h("div", { class: "wf-label", style: { paddingLeft: (6 + Math.min(n.depth, 24) * 14) + "px" } },
			hasKids ? h("button", { class: "wf-toggle", type: "button", tabIndex: -1, attrs: { "aria-label": isCollapsed ? "Expand" : "Collapse", "aria-expanded": String(!isCollapsed) } }, isCollapsed ? "▸" : "▾") : h("span", { class: "wf-toggle none" }),
			h("i", { class: "wf-dot " + typeClass(s.span_type) }),
			h("span", { class: "wf-name" }, s.span_name || s.model || "LLM call"),
			s.model && s.span_name && s.span_name.indexOf(s.model) < 0 ? h("span", { class: "wf-sub" }, s.model) : null,
			isCollapsed ? h("span", { class: "wf-sub" }, "+" + countDesc(n)) : null);
		return h("div", { class: "wf-row" + (s.id === selected ? " selected" : "") + (s.status >= 400 || s.error ? " err" : ""), dataset: { id: s.id, depth: String(n.depth) }, attrs: { role: "treeitem", "aria-level": String(n.depth + 1), "aria-selected": String(s.id === selected) } },
			label, h("div", { class: "wf-track" }, bar, durEl));
	}

	let raf = 0;
	function paint() {
		raf = 0;
		spacer.style.height = visible.length * ROW + "px";
		const h0 = scroll.clientHeight || 600;
		const first = Math.max(0, Math.floor(scroll.scrollTop / ROW) - OVERSCAN);
		const last = Math.min(visible.length, Math.ceil((scroll.scrollTop + h0) / ROW) + OVERSCAN);
		rowsEl.style.transform = "translateY(" + first * ROW + "px)";
		const frag = document.createDocumentFragment();
		for (let i = first; i < last; i++) frag.appendChild(rowEl(visible[i]));
		fill(rowsEl, frag);
	}
	const schedule = () => { if (!raf) raf = requestAnimationFrame(paint); };
	scroll.addEventListener("scroll", schedule, { passive: true });
	const ro = new ResizeObserver(schedule);
	ro.observe(scroll);

	function toggle(id, open) {
		const n = byId.get(id);
		if (!n || !n.kids.length) return false;
		const isC = collapsed.has(id);
		if (open === undefined ? isC : open) collapsed.delete(id); else collapsed.add(id);
		if (isC === collapsed.has(id)) return false;
		computeVisible();
		paint();
		return true;
	}

	rowsEl.addEventListener("click", (e) => {
		const row = e.target.closest(".wf-row");
		if (!row) return;
		if (e.target.closest(".wf-toggle")) { toggle(row.dataset.id); return; }
		select(row.dataset.id);
	});

	function ensureVisible(id) {
		const i = visible.findIndex((n) => n.span.id === id);
		if (i < 0) return;
		const top = i * ROW, h0 = scroll.clientHeight;
		if (top < scroll.scrollTop) scroll.scrollTop = top;
		else if (top + ROW > scroll.scrollTop + h0) scroll.scrollTop = top + ROW - h0;
	}

	function select(id, keepUrl) {
		selected = id;
		ensureVisible(id);
		paint();
		renderPanel(panel, byId.get(id).span, t0, ctx);
		if (!keepUrl) history.replaceState(null, "", "#traces/" + encodeURIComponent(id));
	}

	// Open on the span the link named, with its ancestors expanded.
	select(selected, true);
	requestAnimationFrame(() => ensureVisible(selected));

	return {
		move(d) {
			const i = visible.findIndex((n) => n.span.id === selected);
			const j = Math.min(visible.length - 1, Math.max(0, (i < 0 ? 0 : i) + d));
			select(visible[j].span.id);
		},
		fold(open) {
			const n = byId.get(selected);
			if (!toggle(selected, open) && !open && n.parent) select(n.parent.span.id);
		},
		toggleSelected() { toggle(selected); },
		destroy() { ro.disconnect(); if (raf) cancelAnimationFrame(raf); },
	};
}

function countDesc(n) {
	let c = 0;
	const st = [...n.kids];
	while (st.length) { const k = st.pop(); c++; for (const x of k.kids) st.push(x); }
	return c;
}

function stat(label, value, cls) {
	return h("div", { class: "tstat" + (cls ? " " + cls : "") }, h("span", { class: "tstat-label" }, label), h("span", { class: "tstat-value" }, value));
}

// ------------------------------------------------------------ span panel

const detailCache = new Map();
function loadDetail(s) {
	if (s._detail) return Promise.resolve(s._detail);
	if (!detailCache.has(s.id)) detailCache.set(s.id, api("/traces/" + encodeURIComponent(s.id)).catch(() => null));
	return detailCache.get(s.id);
}

let lastTab = "overview";

function renderPanel(panel, s, t0, ctx) {
	const tabs = [["overview", "Overview"], ["messages", "Messages"], ["request", "Request"], ["response", "Response"], ["attributes", "Attributes"]];
	const bodies = {};
	const tabBar = h("div", { class: "sp-tabs", role: "tablist" });
	const content = h("div", { class: "sp-body" });
	for (const [k, label] of tabs) {
		bodies[k] = h("div", { class: "sp-pane", dataset: { pane: k }, hidden: k !== lastTab });
		tabBar.appendChild(h("button", { type: "button", class: "sp-tab", role: "tab", dataset: { tab: k }, attrs: { "aria-selected": String(k === lastTab) }, onclick: () => show(k) }, label));
		content.appendChild(bodies[k]);
	}
	function show(k) {
		lastTab = k;
		for (const b of tabBar.children) b.setAttribute("aria-selected", String(b.dataset.tab === k));
		for (const [n, el] of Object.entries(bodies)) el.hidden = n !== k;
	}
	const dur = s.duration_ms;
	fill(panel,
		h("div", { class: "sp-head" }, badge(s.span_type), h("h3", { class: "sp-name" }, s.span_name || s.model || "LLM call"), statusNode(s.status, s.error)),
		h("div", { class: "sp-sub muted" }, fmtMs(dur), " · starts at +", fmtMs(Number(s.timestamp) - t0), s.model ? " · " + s.model : "", s.provider ? " · " + s.provider : ""),
		s.error ? h("div", { class: "sp-error" }, String(s.error)) : null,
		tabBar, content);

	overview(bodies.overview, s);
	// Messages and bodies may need the call's stored request/response.
	const needDetail = s._detail || s.request_method || s.request_path || (s.span_type === "llm" && !s.input && !s.request_body);
	const fillBodies = (d) => {
		const req = d ? d.request : { method: s.request_method, path: s.request_path, headers: parseMaybe(s.request_headers), body: parseMaybe(s.request_body), body_truncated: !!s.request_body_truncated };
		const res = d ? d.response : { status: s.response_status, headers: parseMaybe(s.response_headers), body: parseMaybe(s.response_body), body_truncated: !!s.response_body_truncated };
		messages(bodies.messages, s, req && req.body, res && res.body);
		httpPane(bodies.request, req, "request");
		httpPane(bodies.response, res, "response");
	};
	fillBodies(null);
	if (needDetail && !s.request_body) {
		loadDetail(s).then((d) => { if (d && panel.isConnected && panel.querySelector(".sp-name")) fillBodies(d); });
	}
	attributes(bodies.attributes, s);
}

function overview(el, s) {
	const tokRows = [
		["Prompt (input)", s.prompt_tokens, "all input tokens, cached ones included"],
		["Cached input", s.cached_tokens, "read from the provider's cache (part of prompt)"],
		["Cache write", s.cache_creation_tokens, "written to the cache (part of prompt)"],
		["Completion (output)", s.completion_tokens, "all output tokens, reasoning included"],
		["Reasoning", s.reasoning_tokens, "spent reasoning (part of completion)"],
		["Total", s.total_tokens, ""],
	];
	const maxTok = Math.max(1, ...tokRows.map((r) => Number(r[1]) || 0));
	const how = {
		computed: "cost_source: computed — tokens × the model's prices from the price list (data/prices.json, PRICING_FILE)",
		reported: "cost_source: reported — the cost the provider or the span reported",
		unknown: "cost_source: unknown — the model is not in the price list, so the cost is unknown (not $0). Add it with PRICING_FILE.",
	}[s.cost_source || (s.estimated_cost == null ? "unknown" : "computed")];
	const tags = Array.isArray(s.tags) ? s.tags : parseMaybe(s.tags);
	const isLlm = s.span_type === "llm" || !!s.model || s.estimated_cost != null;
	const anyTokens = tokRows.some((r) => r[1] != null);
	fill(el,
		h("dl", { class: "facts" },
			f("Span ID", idNode(s.id)), f("Trace ID", idNode(s.trace_id)), f("Parent", s.parent_id ? traceLink(s.parent_id) : null),
			f("Start", fmtDateTime(s.timestamp)), f("Duration", fmtMs(s.duration_ms)), f("Time to first token", s.ttft_ms == null ? null : fmtMs(s.ttft_ms)),
			f("Status", s.status == null ? null : String(s.status)), f("Provider", s.provider), f("Model", s.model),
			f("Service", s.service_name), f("Session", s.session_id ? h("a", { class: "mono", href: "#sessions/" + encodeURIComponent(s.session_id) }, s.session_id) : null),
			f("Agent", s.agent_name), f("Conversation", s.conversation_id), f("User", s.user_id),
			f("Request", s.request_method || s.request_path ? [s.request_method || "", s.request_path || ""].join(" ").trim() : null, "mono"),
			f("Kind", s.span_kind)),
		isLlm || anyTokens ? [h("h4", null, "Tokens"),
			h("table", { class: "tokens" }, tokRows.map(([k, v, t]) => h("tr", { title: t || null },
				h("th", null, k), h("td", { class: "num" }, v == null ? DASH : fmtInt(v)),
				h("td", { class: "tok-bar" }, v ? h("i", { style: { width: (100 * v / maxTok).toFixed(1) + "%" } }) : null))))] : null,
		isLlm ? [h("h4", null, "Cost"),
			h("div", { class: "cost-line" }, h("span", { class: "cost-big" }, costNode(s.estimated_cost, s.cost_source)), h("p", { class: "muted small" }, how))] : null,
		Array.isArray(tags) && tags.length ? [h("h4", null, "Tags"), h("div", { class: "chips" }, tags.map((t) => h("span", { class: "chip" }, String(t))))] : null,
		eventsList(s),
		linksList(s));
}

// Span links: each opens the linked span (or its trace) in the trace view.
function linksList(s) {
	const ls = parseMaybe(s.links);
	if (!Array.isArray(ls) || !ls.length) return null;
	return [h("h4", null, "Links"), h("ul", { class: "events links" }, ls.slice(0, 200).map((l) =>
		h("li", null, "span ", l.span_id ? traceLink(l.span_id) : DASH, " in trace ", l.trace_id ? traceLink(l.trace_id) : DASH,
			l.trace_state ? h("span", { class: "muted small" }, " " + String(l.trace_state)) : null,
			l.attributes && Object.keys(l.attributes).length ? jsonView(l.attributes) : null)))];
}

function eventsList(s) {
	const ev = parseMaybe(s.events);
	if (!Array.isArray(ev) || !ev.length) return null;
	return [h("h4", null, "Events"), h("ul", { class: "events" }, ev.slice(0, 200).map((e) =>
		h("li", null, h("span", { class: "mono muted" }, e.time != null ? "+" + fmtMs(Number(e.time) - Number(s.timestamp)) : ""), " ", h("strong", null, String(e.name || "event")),
			e.attributes && Object.keys(e.attributes).length ? jsonView(e.attributes) : null)))];
}

// A fact; optional ones without a value are left out, to keep the panel dense.
const ALWAYS = new Set(["Span ID", "Trace ID", "Start", "Duration", "Status"]);
function f(label, value, cls) {
	if ((value == null || value === "") && !ALWAYS.has(label)) return null;
	return h("div", { class: "fact" }, h("dt", null, label), h("dd", { class: cls || null }, value == null || value === "" ? DASH : value));
}

function idNode(id) {
	return id ? h("span", { class: "mono id" }, id, copyButton(() => id, "Copy")) : null;
}

// ---- messages as a chat

function contentNodes(c) {
	if (c == null) return [];
	if (typeof c === "string") return [h("div", { class: "msg-text" }, c)];
	if (Array.isArray(c)) return c.flatMap((p) => {
		if (typeof p === "string") return [h("div", { class: "msg-text" }, p)];
		if (!p || typeof p !== "object") return [h("div", { class: "msg-text" }, String(p))];
		if (p.type === "text" || p.type === "input_text" || p.type === "output_text" || (p.text != null && !p.type)) return [h("div", { class: "msg-text" }, String(p.text))];
		if (p.type === "image_url" || p.type === "image" || p.type === "input_image" || p.inline_data || p.inlineData) return [h("div", { class: "msg-part muted" }, "[image]")];
		if (p.type === "tool_use") return [toolCall(p.name, p.input)];
		if (p.type === "tool_result") return [h("div", { class: "msg-part" }, h("span", { class: "muted small" }, "tool result "), contentNodes(p.content))];
		if (p.functionCall) return [toolCall(p.functionCall.name, p.functionCall.args)];
		if (p.thinking) return [h("div", { class: "msg-text thinking" }, String(p.thinking))];
		return [jsonView(p)];
	});
	if (typeof c === "object") return [jsonView(c)];
	return [h("div", { class: "msg-text" }, String(c))];
}

function toolCall(name, args) {
	const a = parseMaybe(args);
	return h("div", { class: "msg-tool" }, h("span", { class: "tool-name" }, "→ " + String(name || "tool")), a == null ? null : typeof a === "string" ? h("pre", { class: "text-block" }, a) : jsonView(a));
}

function bubble(role, content, extra) {
	const r = String(role || "message");
	return h("div", { class: "msg role-" + (/^(system|user|assistant|tool|developer|model)$/.test(r) ? r : "other") },
		h("div", { class: "msg-role" }, r), h("div", { class: "msg-body" }, contentNodes(content), extra));
}

function toMessages(v) {
	v = parseMaybe(v);
	if (v == null) return [];
	if (typeof v === "string") return [{ role: "", content: v }];
	if (Array.isArray(v)) return v.map((m) => (m && typeof m === "object" && ("role" in m || "content" in m || "parts" in m) ? m : { role: "", content: m }));
	if (typeof v === "object") {
		if (Array.isArray(v.messages)) return v.messages;
		if ("role" in v || "content" in v) return [v];
	}
	return [{ role: "", content: v }];
}

function requestMessages(b) {
	if (!b || typeof b !== "object") return [];
	const out = [];
	if (b.system) out.push({ role: "system", content: b.system });
	if (b.instructions) out.push({ role: "system", content: b.instructions });
	if (Array.isArray(b.messages)) out.push(...b.messages);
	else if (Array.isArray(b.contents)) out.push(...b.contents.map((c) => ({ role: c.role || "user", content: c.parts })));
	else if (typeof b.input === "string") out.push({ role: "user", content: b.input });
	else if (Array.isArray(b.input)) out.push(...b.input.map((m) => (m.role ? m : { role: m.type || "", content: m.content || m.output || m })));
	else if (typeof b.prompt === "string") out.push({ role: "user", content: b.prompt });
	return out;
}

function responseMessages(b) {
	if (!b || typeof b !== "object") return [];
	if (Array.isArray(b.choices)) return b.choices.map((c) => c.message || { role: "assistant", content: c.text != null ? c.text : c.delta && c.delta.content });
	if (Array.isArray(b.content) && b.type === "message") return [{ role: b.role || "assistant", content: b.content }];
	if (Array.isArray(b.candidates)) return b.candidates.map((c) => ({ role: "model", content: c.content && c.content.parts }));
	if (Array.isArray(b.output)) return b.output.filter((o) => o.type === "message" || o.content).map((o) => ({ role: o.role || "assistant", content: o.content }));
	if (b.message && typeof b.message === "object") return [b.message];
	return [];
}

function messages(el, s, reqBody, resBody) {
	let input = toMessages(s.input);
	let output = toMessages(s.output);
	if (!input.length) input = requestMessages(reqBody);
	if (!output.length) output = responseMessages(resBody);
	const render = (m) => bubble(m.role, m.content !== undefined ? m.content : m.parts,
		Array.isArray(m.tool_calls) ? m.tool_calls.map((t) => toolCall(t.function ? t.function.name : t.name, t.function ? t.function.arguments : t.arguments)) : null);
	if (!input.length && !output.length) {
		fill(el, h("p", { class: "muted small empty-pane" }, "No messages recorded for this span."));
		return;
	}
	fill(el, h("div", { class: "chat" },
		input.length ? h("div", { class: "chat-label" }, "Input") : null, input.map(render),
		output.length ? h("div", { class: "chat-label" }, "Output") : null, output.map(render)));
}

function httpPane(el, r, which) {
	const has = r && (r.body != null && !(typeof r.body === "object" && !Array.isArray(r.body) && Object.keys(r.body).length === 0 && !r.method && !r.status) || r.method || r.status);
	if (!has) {
		fill(el, h("p", { class: "muted small empty-pane" }, which === "request"
			? "No HTTP request recorded: spans sent over OpenTelemetry carry their input under Messages and Attributes."
			: "No HTTP response recorded for this span."));
		return;
	}
	const head = which === "request"
		? h("div", { class: "http-line mono" }, (r.method || "") + " " + (r.path || ""))
		: h("div", { class: "http-line mono" }, "HTTP " + (r.status == null ? DASH : r.status));
	const headers = parseMaybe(r.headers);
	const bodyText = typeof r.body === "string" ? r.body : JSON.stringify(r.body, null, 2);
	fill(el, head,
		headers && typeof headers === "object" && Object.keys(headers).length ? h("details", { class: "headers" }, h("summary", null, "Headers (" + Object.keys(headers).length + ")"),
			h("table", { class: "kv" }, Object.entries(headers).map(([k, v]) => h("tr", null, h("th", null, k), h("td", { class: "mono" }, String(v)))))) : null,
		h("div", { class: "body-head" }, h("span", null, "Body"), r.body_truncated ? h("span", { class: "warn-chip" }, "truncated: cut at LLMFLOW_MAX_STORED_BODY") : null, copyButton(() => bodyText || "")),
		r.body == null ? h("p", { class: "muted small" }, "empty") : jsonView(r.body));
}

function attributes(el, s) {
	const a = parseMaybe(s.attributes);
	const ra = parseMaybe(s.resource_attributes);
	const sect = (title, obj) => obj && typeof obj === "object" && Object.keys(obj).length
		? [h("h4", null, title), h("table", { class: "kv" }, Object.entries(obj).map(([k, v]) => h("tr", null, h("th", null, k), h("td", null, v !== null && typeof v === "object" ? jsonView(v) : String(v)))))]
		: null;
	const raw = (title, v) => {
		v = parseMaybe(v);
		return v == null ? null : [h("h4", null, title), typeof v === "string" ? h("pre", { class: "text-block" }, v) : jsonView(v)];
	};
	const parts = [sect("Attributes", a), sect("Resource", ra), raw("Input", s.input), raw("Output", s.output)].filter(Boolean);
	fill(el, ...(parts.length ? parts.flat() : [h("p", { class: "muted small empty-pane" }, "No attributes recorded for this span.")]));
}
