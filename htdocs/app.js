// LLMFlow dashboard entry: the router (URL hash), the header totals, the
// live poll, the theme and the keyboard.  Views live in views.js and
// trace.js; they only talk to the same-origin /api.
import { api, ApiError, clear, fmtCompact, fmtInt, fmtMs, fmtUsd, h } from "./util.js";
import { VIEWS } from "./views.js";
import { onThemeChange } from "./charts.js";

const TABS = ["timeline", "traces", "sessions", "logs", "metrics", "models", "analytics"];
const POLL_MS = 2000;
const STATS_MAX_AGE_MS = 30000;

const view = document.getElementById("view");
const state = {
	route: null,
	current: null,      // the mounted view: {poll, move, open, back, search, destroy}
	lastQuery: {},      // tab -> last "?query" used, so tab links keep filters
	headDigest: "",
	statsAt: 0,
	stats: null,
};

// ------------------------------------------------------------ routing

export function parseRoute(hash) {
	let s = (hash || "").replace(/^#\/?/, "");
	let query = "";
	const q = s.indexOf("?");
	if (q >= 0) { query = s.slice(q + 1); s = s.slice(0, q); }
	const slash = s.indexOf("/");
	let tab = slash >= 0 ? s.slice(0, slash) : s;
	let id = slash >= 0 ? decodeURIComponent(s.slice(slash + 1)) : null;
	if (!TABS.includes(tab)) { tab = "timeline"; id = null; }
	return { tab, id: id || null, params: new URLSearchParams(query) };
}

export function hashFor(tab, id, params) {
	const q = params ? new URLSearchParams([...params].filter(([, v]) => v !== "" && v != null)).toString() : "";
	return "#" + tab + (id ? "/" + encodeURIComponent(id) : "") + (q ? "?" + q : "");
}

// Filters change the URL without a history entry.
function setParams(params) {
	const r = state.route;
	const hash = hashFor(r.tab, r.id, params);
	history.replaceState(null, "", hash);
	state.route = parseRoute(hash);
	rememberQuery();
}

function rememberQuery() {
	const r = state.route;
	if (r.id) return;
	const q = r.params.toString();
	state.lastQuery[r.tab] = q ? "?" + q : "";
	const a = document.getElementById("tab-" + r.tab);
	if (a) a.setAttribute("href", "#" + r.tab + state.lastQuery[r.tab]);
}

function render() {
	const route = parseRoute(location.hash);
	const prev = state.route;
	state.route = route;
	for (const t of TABS) {
		const a = document.getElementById("tab-" + t);
		a.setAttribute("aria-selected", String(t === route.tab));
		a.tabIndex = t === route.tab ? 0 : -1;
	}
	rememberQuery();
	// The same list with other filters (set by the view) re-mounts too; cheap.
	if (state.current && state.current.destroy) state.current.destroy();
	// Keep the focus (and caret) in a filter control across the re-mount.
	const active = document.activeElement && view.contains(document.activeElement) ? document.activeElement : null;
	const focusId = active && active.id;
	const caret = active && typeof active.selectionStart === "number" ? active.selectionStart : null;
	clear(view);
	view.scrollTop = 0;
	const ctx = {
		route,
		prev,
		setParams,
		go: (hash) => { location.hash = hash; },
		back: (fallback) => { location.hash = fallback; },
		stats: () => state.stats,
		refreshStats: () => loadStats(true),
	};
	state.current = VIEWS[route.tab](view, ctx) || {};
	if (focusId) {
		const el = document.getElementById(focusId);
		if (el) {
			el.focus();
			if (caret != null && el.setSelectionRange) try { el.setSelectionRange(caret, caret); } catch { /* not a text input */ }
		}
	}
	document.title = "LLMFlow · " + route.tab[0].toUpperCase() + route.tab.slice(1);
}

window.addEventListener("hashchange", render);

// ------------------------------------------------------------ header totals

function setText(id, text, title) {
	const el = document.getElementById(id);
	el.textContent = text;
	if (title !== undefined) el.title = title;
}

async function loadStats(force) {
	if (!force && Date.now() - state.statsAt < 1000) return;
	state.statsAt = Date.now();
	try {
		const s = await api("/stats");
		state.stats = s;
		window.dispatchEvent(new Event("llmflow:stats"));
		setText("stat-traces", fmtInt(s.total_requests), fmtInt(s.total_requests) + " calls and spans recorded");
		setText("stat-tokens", fmtCompact(s.total_tokens), fmtInt(s.total_tokens) + " tokens");
		const cost = document.getElementById("stat-cost");
		clear(cost);
		// Unpriced LLM calls: rows with a model and no known price.  Tool and
		// chain spans have no model and no cost; they are not "unpriced".
		const unpriced = Array.isArray(s.models)
			? s.models.reduce((a, m) => a + (m.model ? Number(m.unpriced) || 0 : 0), 0)
			: s.unpriced_requests || 0;
		const priced = (s.total_requests || 0) - unpriced;
		cost.appendChild(document.createTextNode(priced > 0 || !unpriced ? fmtUsd(s.total_cost || 0) : "—"));
		if (unpriced) cost.appendChild(h("span", { class: "unpriced-note" }, " + " + fmtInt(unpriced) + " unpriced"));
		cost.title = unpriced ? fmtInt(unpriced) + " calls have no known price; they are not counted as $0" : "";
		setText("stat-latency", s.avg_duration == null ? "—" : fmtMs(s.avg_duration), "average duration over all rows");
	} catch (e) {
		/* the live dot reports reachability */
	}
}

// ------------------------------------------------------------ live poll

const live = document.getElementById("live");
function setLive(st, text, title) {
	live.dataset.state = st;
	document.getElementById("live-text").textContent = text;
	live.title = title;
}

let pollTimer = null;
let failures = 0;
async function poll() {
	clearTimeout(pollTimer);
	const t0 = performance.now();
	if (!document.hidden) {
		let changed = false;
		try {
			// The newest rows: a changed digest means something was recorded.
			// 25 rows, not 1, so a long call stored after a newer short one is
			// still noticed (rows are ordered by start time).
			const head = await api("/traces", { limit: 25 });
			const digest = head.map((r) => r.id + ":" + r.status + ":" + r.duration_ms).join(",");
			changed = state.headDigest !== "" && digest !== state.headDigest;
			state.headDigest = digest;
			failures = 0;
			setLive("live", "live", "Connected: checking for new calls every 2 s");
		} catch (e) {
			failures++;
			setLive(failures > 2 ? "down" : "retrying", failures > 2 ? "offline" : "retrying",
				(e instanceof ApiError ? e.message : "LLMFlow is not reachable") + "; retrying");
		}
		if (changed || Date.now() - state.statsAt > STATS_MAX_AGE_MS) loadStats(true);
		if (state.current && state.current.poll && failures === 0) {
			try { await state.current.poll({ changed }); } catch { /* the view shows its own errors */ }
		}
	}
	// Back off when the server is slow: never more than a third of the time polling.
	const took = performance.now() - t0;
	pollTimer = setTimeout(poll, Math.max(POLL_MS - took, took * 2, 250) + (failures > 2 ? 3000 : 0));
}
document.addEventListener("visibilitychange", () => { if (!document.hidden) poll(); });

// ------------------------------------------------------------ theme

function setTheme(t) {
	document.documentElement.dataset.theme = t;
	document.documentElement.style.colorScheme = t;
	onThemeChange();
}
function toggleTheme() {
	const t = document.documentElement.dataset.theme === "dark" ? "light" : "dark";
	try { localStorage.setItem("llmflow-theme", t); } catch { /* not remembered */ }
	setTheme(t);
}
document.getElementById("theme-toggle").addEventListener("click", toggleTheme);
// Follow the system until the user picks a theme.
if (window.matchMedia) {
	window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", (e) => {
		let saved = null;
		try { saved = localStorage.getItem("llmflow-theme"); } catch { /* none */ }
		if (!saved) setTheme(e.matches ? "dark" : "light");
	});
}

// ------------------------------------------------------------ help and keys

const help = document.getElementById("help");
function showHelp(on) {
	help.hidden = !on;
	if (on) document.getElementById("help-close").focus();
}
document.getElementById("help-btn").addEventListener("click", () => showHelp(true));
document.getElementById("help-close").addEventListener("click", () => showHelp(false));
help.addEventListener("click", (e) => { if (e.target === help) showHelp(false); });

function typing(el) {
	return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
}

document.addEventListener("keydown", (e) => {
	if (e.ctrlKey || e.metaKey || e.altKey) return;
	const cur = state.current || {};
	if (e.key === "Escape") {
		if (!help.hidden) { showHelp(false); e.preventDefault(); return; }
		if (typing(document.activeElement)) { document.activeElement.blur(); e.preventDefault(); return; }
		if (cur.back) { cur.back(); e.preventDefault(); }
		return;
	}
	if (typing(e.target)) return;
	if (!help.hidden && e.key !== "?") return;
	switch (e.key) {
	case "/":
		if (cur.search) { e.preventDefault(); cur.search(); }
		break;
	case "?":
		e.preventDefault();
		showHelp(help.hidden);
		break;
	case "t":
		toggleTheme();
		break;
	case "r":
		loadStats(true);
		if (cur.poll) cur.poll({ changed: true, force: true });
		break;
	case "j": case "ArrowDown":
		if (cur.move) { e.preventDefault(); cur.move(1); }
		break;
	case "k": case "ArrowUp":
		if (cur.move) { e.preventDefault(); cur.move(-1); }
		break;
	case "ArrowLeft": case "h":
		if (cur.fold) { e.preventDefault(); cur.fold(false); }
		break;
	case "ArrowRight": case "l":
		if (cur.fold) { e.preventDefault(); cur.fold(true); }
		break;
	case "Enter":
		if (cur.open && !(e.target instanceof HTMLButtonElement) && !(e.target instanceof HTMLAnchorElement)) { e.preventDefault(); cur.open(); }
		break;
	default:
		if (/^[1-7]$/.test(e.key)) {
			const tab = TABS[Number(e.key) - 1];
			location.hash = "#" + tab + (state.lastQuery[tab] || "");
		}
	}
});

// ------------------------------------------------------------ start

render();
loadStats(true);
poll();
