/*
 * LLMFlow dashboard: recent calls and totals, refreshed every 2 s from
 * the same-origin query API.  Every value from the API reaches the page
 * through textContent or DOM properties, never innerHTML.
 */
"use strict";

(function () {
	var POLL_MS = 2000;
	var LIMIT = 50;
	var DASH = "\u2014";

	function $(id) {
		return document.getElementById(id);
	}

	function isNum(v) {
		return typeof v === "number" && isFinite(v);
	}

	function fmtInt(v) {
		return isNum(v) ? Math.round(v).toLocaleString() : DASH;
	}

	function fmtMs(v) {
		if (!isNum(v)) return DASH;
		if (v < 1000) return Math.round(v) + " ms";
		return (v / 1000).toFixed(v < 10000 ? 2 : 1) + " s";
	}

	function fmtUsd(v) {
		if (!isNum(v)) return DASH;
		if (v === 0) return "$0";
		if (v < 0.01) return "$" + v.toPrecision(2);
		return "$" + v.toFixed(v < 100 ? 4 : 2);
	}

	function fmtTime(ms) {
		if (!isNum(ms)) return DASH;
		var d = new Date(ms);
		var today = new Date();
		if (d.toDateString() === today.toDateString())
			return d.toLocaleTimeString();
		return d.toLocaleString();
	}

	/* A table cell with text, an optional class and title. */
	function cell(text, cls, title) {
		var td = document.createElement("td");
		td.textContent = text;
		if (cls) td.className = cls;
		if (title) td.title = title;
		return td;
	}

	function costCell(t) {
		if (t.cost_source === "unknown")
			return cell("unpriced", "num unpriced",
			    "No price known for this model");
		if (!isNum(t.estimated_cost))
			return cell(DASH, "num muted");
		return cell(fmtUsd(t.estimated_cost), "num",
		    t.cost_source ? "cost " + t.cost_source : "");
	}

	function statusCell(t) {
		var s = t.status;
		var err = (isNum(s) && s >= 400) || t.error;
		var text = isNum(s) ? String(s) : (t.error ? "error" : DASH);
		return cell(text, err ? "status-err" : "status-ok",
		    t.error ? String(t.error) : "");
	}

	function tokensTitle(t) {
		var parts = [];
		if (isNum(t.prompt_tokens)) parts.push(fmtInt(t.prompt_tokens) + " in");
		if (isNum(t.completion_tokens))
			parts.push(fmtInt(t.completion_tokens) + " out");
		if (isNum(t.cached_tokens) && t.cached_tokens > 0)
			parts.push(fmtInt(t.cached_tokens) + " cached");
		if (isNum(t.reasoning_tokens) && t.reasoning_tokens > 0)
			parts.push(fmtInt(t.reasoning_tokens) + " reasoning");
		return parts.join(", ");
	}

	function row(t) {
		var tr = document.createElement("tr");
		tr.appendChild(cell(fmtTime(t.timestamp), "",
		    isNum(t.timestamp) ? new Date(t.timestamp).toISOString() : ""));
		tr.appendChild(cell(t.provider != null ? String(t.provider) : DASH));
		tr.appendChild(cell(t.model != null ? String(t.model) : DASH, "model",
		    t.model != null ? String(t.model) : ""));
		tr.appendChild(cell(fmtInt(t.total_tokens), "num", tokensTitle(t)));
		tr.appendChild(costCell(t));
		tr.appendChild(cell(fmtMs(t.duration_ms), "num"));
		tr.appendChild(cell(fmtMs(t.ttft_ms),
		    isNum(t.ttft_ms) ? "num" : "num muted"));
		tr.appendChild(statusCell(t));
		return tr;
	}

	function showTraces(list) {
		var body = $("rows");
		var frag = document.createDocumentFragment();
		if (!Array.isArray(list)) list = [];
		list.forEach(function (t) {
			if (t && typeof t === "object") frag.appendChild(row(t));
		});
		body.replaceChildren(frag);
		$("list").hidden = list.length === 0;
		$("empty").hidden = list.length !== 0;
	}

	function setStat(id, text, cls) {
		var el = $(id);
		el.textContent = text;
		el.className = "value" + (cls ? " " + cls : "");
	}

	function showStats(s) {
		if (!s || typeof s !== "object") return;
		setStat("s-requests", fmtInt(s.total_requests));
		setStat("s-tokens", fmtInt(s.total_tokens));
		setStat("s-cost", fmtUsd(s.total_cost));
		setStat("s-errors", fmtInt(s.error_count),
		    s.error_count > 0 ? "status-err" : "");
		setStat("s-latency", s.total_requests > 0 ? fmtMs(s.avg_duration) : DASH);
		setStat("s-unpriced", fmtInt(s.unpriced_requests),
		    s.unpriced_requests > 0 ? "unpriced" : "");
	}

	function getJSON(url) {
		return fetch(url, { cache: "no-store", credentials: "same-origin" })
		    .then(function (r) {
			if (!r.ok) throw new Error(url + ": HTTP " + r.status);
			return r.json();
		    });
	}

	function setConn(ok, text) {
		var el = $("conn");
		el.textContent = text;
		el.className = ok ? "conn" : "conn bad";
	}

	var timer = null;	/* the next poll, if one is scheduled */
	var inflight = false;	/* a poll is waiting for the API */

	function poll() {
		timer = null;
		if (inflight) return;
		inflight = true;
		Promise.all([
			getJSON("/api/traces?limit=" + LIMIT),
			getJSON("/api/stats")
		]).then(function (res) {
			showTraces(res[0]);
			showStats(res[1]);
			setConn(true, "updated " + new Date().toLocaleTimeString());
		}).catch(function (e) {
			setConn(false, "cannot reach the API (" +
			    (e && e.message ? e.message : "error") + ")");
		}).then(function () {
			inflight = false;
			schedule();
		});
	}

	function schedule() {
		if (timer === null && !inflight && !document.hidden)
			timer = setTimeout(poll, POLL_MS);
	}

	document.addEventListener("visibilitychange", function () {
		if (document.hidden) {
			if (timer !== null) clearTimeout(timer);
			timer = null;
		} else if (timer === null && !inflight) {
			poll();
		}
	});

	poll();
})();
