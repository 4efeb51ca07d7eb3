// Shared helpers: DOM building, formatting, the API client.
//
// Safety rule for the whole dashboard: every value that came from the
// database reaches the page as a text node or a DOM property (h() below),
// never as HTML.  No file here assigns innerHTML.

export const DASH = "\u2014";

// h("div", {class: "x", dataset: {id}, onclick: fn}, child, "text", [more])
// Strings and numbers become text nodes; null, undefined and false are skipped.
export function h(tag, props, ...kids) {
	const el = tag.includes(":") ? document.createElementNS("http://www.w3.org/2000/svg", tag.split(":")[1]) : document.createElement(tag);
	if (props) {
		for (const [k, v] of Object.entries(props)) {
			if (v == null || v === false) continue;
			if (k === "class") el.setAttribute("class", v);
			else if (k === "dataset") Object.assign(el.dataset, v);
			else if (k === "style") Object.assign(el.style, v);
			else if (k === "attrs") for (const [a, av] of Object.entries(v)) { if (av != null) el.setAttribute(a, av); }
			else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
			else if (k === "text") el.textContent = v;
			else if (k in el && !tag.includes(":")) el[k] = v;
			else el.setAttribute(k, v);
		}
	}
	append(el, kids);
	return el;
}

// A link that opens a span in the trace view (or, without a span id, its
// trace); its text is the id unless given.
export function traceLink(spanId, traceId, { cls = "mono", title = null, text = null } = {}) {
	const id = String(spanId || traceId);
	return h("a", { class: cls, href: "#traces/" + encodeURIComponent(id), title }, text != null ? String(text) : id);
}

function append(el, kids) {
	for (const k of kids) {
		if (k == null || k === false) continue;
		if (Array.isArray(k)) append(el, k);
		else if (k instanceof Node) el.appendChild(k);
		else el.appendChild(document.createTextNode(String(k)));
	}
}

export function clear(el) {
	while (el.firstChild) el.removeChild(el.firstChild);
	return el;
}

export function $(sel, root = document) {
	return root.querySelector(sel);
}

// ------------------------------------------------------------ formatting

const nf = new Intl.NumberFormat("en-US");
export function fmtInt(n) {
	return n == null || Number.isNaN(Number(n)) ? DASH : nf.format(Math.round(Number(n)));
}

export function fmtCompact(n) {
	if (n == null) return DASH;
	n = Number(n);
	const a = Math.abs(n);
	if (a < 10000) return nf.format(Math.round(n));
	if (a < 1e6) return (n / 1e3).toFixed(a < 1e5 ? 1 : 0) + "k";
	if (a < 1e9) return (n / 1e6).toFixed(a < 1e7 ? 2 : 1) + "M";
	return (n / 1e9).toFixed(2) + "B";
}

export function fmtUsd(c) {
	if (c == null) return DASH;
	c = Number(c);
	if (c === 0) return "$0";
	const a = Math.abs(c);
	if (a >= 100) return "$" + nf.format(Math.round(c));
	if (a >= 1) return "$" + c.toFixed(2);
	if (a >= 0.01) return "$" + c.toFixed(3);
	if (a >= 0.0001) return "$" + c.toFixed(5).replace(/0+$/, "");
	return "$" + c.toPrecision(2);
}

// A cost cell: unknown cost is "unpriced", never $0.
export function costNode(c, source) {
	if (c == null) return h("span", { class: "unpriced", title: "No price known for this model (cost_source: " + (source || "unknown") + ")" }, "unpriced");
	return h("span", { title: source ? "cost " + source : null }, fmtUsd(c));
}

export function fmtMs(ms) {
	if (ms == null || ms === "") return DASH;
	ms = Number(ms);
	if (ms < 1) return ms === 0 ? "0 ms" : ms.toFixed(2) + " ms";
	if (ms < 1000) return Math.round(ms) + " ms";
	if (ms < 60000) return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + " s";
	const m = Math.floor(ms / 60000), s = Math.round((ms % 60000) / 1000);
	if (m < 60) return m + "m " + String(s).padStart(2, "0") + "s";
	return Math.floor(m / 60) + "h " + String(m % 60).padStart(2, "0") + "m";
}

const pad = (n) => String(n).padStart(2, "0");
const MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export function fmtTime(ts) {
	if (ts == null) return DASH;
	const d = new Date(Number(ts));
	const now = new Date();
	const hms = pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
	if (d.toDateString() === now.toDateString()) return hms;
	const day = MON[d.getMonth()] + " " + d.getDate();
	return d.getFullYear() === now.getFullYear() ? day + " " + hms.slice(0, 5) : day + " " + d.getFullYear();
}

export function fmtDateTime(ts) {
	if (ts == null) return DASH;
	const d = new Date(Number(ts));
	return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()) + "." + String(d.getMilliseconds()).padStart(3, "0");
}

export function fmtAgo(ts) {
	if (ts == null) return DASH;
	const s = Math.max(0, (Date.now() - Number(ts)) / 1000);
	if (s < 60) return Math.floor(s) + "s ago";
	if (s < 3600) return Math.floor(s / 60) + "m ago";
	if (s < 86400) return Math.floor(s / 3600) + "h ago";
	return Math.floor(s / 86400) + "d ago";
}

export function timeCell(ts) {
	return h("td", { class: "time", title: fmtDateTime(ts) }, fmtTime(ts));
}

export const SPAN_TYPES = ["llm", "agent", "chain", "tool", "retrieval", "embedding", "trace", "custom"];
export function typeClass(t) {
	return "t-" + (SPAN_TYPES.includes(t) ? t : "custom");
}
export function badge(type) {
	return h("span", { class: "badge " + typeClass(type) }, type || "llm");
}

export function statusNode(status, error) {
	if (status == null) return h("span", { class: "status muted" }, DASH);
	const ok = status < 400;
	return h("span", { class: "status " + (ok ? "ok" : "err"), title: error || null }, h("i"), String(status));
}

// Parse a JSON string column; objects pass through.
export function parseMaybe(v) {
	if (typeof v !== "string") return v;
	const s = v.trim();
	if (!s || !/^[[{"]|^(true|false|null|-?\d)/.test(s)) return v;
	try { return JSON.parse(s); } catch { return v; }
}

// ------------------------------------------------------------ JSON view

const TOKEN = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

// Pretty JSON with syntax colours, built from text nodes.
export function jsonView(value) {
	const text = typeof value === "string" ? value : JSON.stringify(value, null, 2);
	const pre = h("pre", { class: "json" });
	if (text == null) { pre.textContent = "null"; return pre; }
	if (typeof value === "string" || text.length > 400000) { pre.textContent = text; return pre; }
	let last = 0;
	const frag = document.createDocumentFragment();
	for (const m of text.matchAll(TOKEN)) {
		if (m.index > last) frag.appendChild(document.createTextNode(text.slice(last, m.index)));
		const cls = m[1] ? (m[2] ? "j-key" : "j-str") : m[3] ? "j-lit" : "j-num";
		frag.appendChild(h("span", { class: cls }, m[1] || m[0]));
		if (m[2]) frag.appendChild(document.createTextNode(m[2]));
		last = m.index + m[0].length;
	}
	frag.appendChild(document.createTextNode(text.slice(last)));
	pre.appendChild(frag);
	return pre;
}

export function copyButton(getText, label = "Copy") {
	const b = h("button", { class: "btn tiny copy", type: "button" }, label);
	b.addEventListener("click", async (e) => {
		e.stopPropagation();
		const text = getText();
		try {
			await navigator.clipboard.writeText(text);
		} catch {
			const ta = h("textarea", { value: text, style: { position: "fixed", opacity: "0" } });
			document.body.appendChild(ta);
			ta.select();
			try { document.execCommand("copy"); } catch { /* nothing else to try */ }
			ta.remove();
		}
		b.textContent = "Copied";
		setTimeout(() => { b.textContent = label; }, 1200);
	});
	return b;
}

// ------------------------------------------------------------ API client

export class ApiError extends Error {
	constructor(status, message) {
		super(message);
		this.status = status;
	}
}
// The endpoint does not exist in this server's version.
export class NotAvailable extends Error {}

const missing = new Set();
const routeKey = (p) => p.replace(/\?.*/, "").replace(/\/[^/]*[0-9][^/]*(?=\/|$)/g, "/:id");

export function isMissing(path) {
	return missing.has(routeKey(path));
}

export function qs(params) {
	const u = new URLSearchParams();
	for (const [k, v] of Object.entries(params || {})) if (v != null && v !== "") u.set(k, v);
	const s = u.toString();
	return s ? "?" + s : "";
}

export async function api(path, params, opts = {}) {
	const key = routeKey(path);
	if (missing.has(key)) throw new NotAvailable(path);
	let r;
	try {
		r = await fetch("/api" + path + qs(params), { signal: opts.signal, headers: { Accept: "application/json" }, cache: "no-store" });
	} catch (e) {
		if (e.name === "AbortError") throw e;
		throw new ApiError(0, "LLMFlow is not reachable");
	}
	let body = null;
	try { body = await r.json(); } catch { /* not JSON */ }
	if (r.status === 404 && body && body.error === "Not Found") {
		missing.add(key);
		throw new NotAvailable(path);
	}
	if (!r.ok) throw new ApiError(r.status, (body && (body.error || body.message)) || "HTTP " + r.status);
	return body;
}

// Whether /api/traces honours a filter parameter: an old API ignores
// unknown parameters, so ask for a value that matches nothing.
const probes = new Map();
export function supportsFilter(param) {
	if (!probes.has(param)) {
		const v = param.startsWith("cost") ? "-1" : "zz-llmflow-probe";
		const p = param === "cost_max" ? { cost_max: "-1" } : { [param]: v };
		probes.set(param, api("/traces", { limit: 1, ...p }).then((rows) => Array.isArray(rows) && rows.length === 0, () => false));
	}
	return probes.get(param);
}

export function debounce(fn, ms) {
	let t;
	return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); };
}

// Replace el's children; like h(), skips null/false and makes text of strings.
export function fill(el, ...kids) {
	clear(el);
	append(el, kids);
	return el;
}
