// Charts: Chart.js 3 (Debian's libjs-chart.js, copied to vendor/chart.js by
// make), loaded on first use so the first paint never waits for it.  Charts
// take their colours from the CSS variables of the current theme and are
// rebuilt when the theme changes.
import { fill, h } from "./util.js";

let loading = null;
function loadChartJs() {
	if (window.Chart) return Promise.resolve(window.Chart);
	if (!loading) {
		loading = new Promise((resolve, reject) => {
			const s = document.createElement("script");
			s.src = "vendor/chart.js";
			s.onload = () => (window.Chart ? resolve(window.Chart) : reject(new Error("no Chart")));
			s.onerror = () => { loading = null; s.remove(); reject(new Error("vendor/chart.js is missing")); };
			document.head.appendChild(s);
		});
	}
	return loading;
}

export function colors() {
	const cs = getComputedStyle(document.documentElement);
	const v = (n) => cs.getPropertyValue(n).trim();
	return {
		fg: v("--fg"), muted: v("--fg-muted"), grid: v("--grid"), surface: v("--surface"), border: v("--border"),
		series: [1, 2, 3, 4, 5, 6, 7, 8].map((i) => v("--c" + i)),
		prompt: v("--c1"), completion: v("--c3"), cost: v("--c2"),
	};
}

const live = new Set();

// chart(container, build): build(colors) returns a Chart.js config.  Returns
// {el, update(build)}; the chart goes away with its container.
export function chart(build, opts = {}) {
	const canvas = h("canvas", { attrs: { role: "img", "aria-label": opts.label || "chart" } });
	const box = h("div", { class: "chart-box" + (opts.tall ? " tall" : "") }, canvas);
	const rec = { canvas, box, build, chart: null };
	loadChartJs().then((Chart) => {
		if (!box.isConnected && !document.body.contains(box)) {
			// Not mounted yet: try once the caller has appended it.
			requestAnimationFrame(() => draw(Chart, rec));
			return;
		}
		draw(Chart, rec);
	}, () => {
		fill(box, h("p", { class: "muted small chart-missing" }, "Charts need htdocs/vendor/chart.js: run make (it copies Debian's libjs-chart.js)."));
	});
	return {
		el: box,
		update(b) { rec.build = b; if (window.Chart && rec.chart) draw(window.Chart, rec); },
	};
}

function draw(Chart, rec) {
	if (!rec.box.isConnected) { live.delete(rec); if (rec.chart) rec.chart.destroy(); return; }
	if (rec.chart) rec.chart.destroy();
	const c = colors();
	const cfg = rec.build(c);
	Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
	Chart.defaults.font.size = 11;
	Chart.defaults.color = c.muted;
	Chart.defaults.borderColor = c.grid;
	cfg.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, cfg.options || {});
	rec.chart = new Chart(rec.canvas, cfg);
	live.add(rec);
}

export function onThemeChange() {
	if (!window.Chart) return;
	for (const rec of [...live]) draw(window.Chart, rec);
}

// Common options.
export function axes(c, { stacked = false, yFormat, xType = "category", horizontal = false } = {}) {
	const grid = { color: c.grid, drawBorder: false, tickLength: 0 };
	const val = { grid, stacked, beginAtZero: true, ticks: { padding: 6, maxTicksLimit: 6, callback: yFormat ? (v) => yFormat(v) : undefined } };
	const cat = { grid: { display: false, drawBorder: false }, stacked, ticks: { padding: 6, maxRotation: 0, autoSkip: true, autoSkipPadding: 16 } };
	if (xType !== "category") cat.type = xType;
	return horizontal ? { x: val, y: cat } : { x: cat, y: val };
}

export function tooltip(c, label) {
	return {
		backgroundColor: c.surface, titleColor: c.fg, bodyColor: c.fg, borderColor: c.border, borderWidth: 1,
		padding: 8, boxPadding: 4, usePointStyle: true, callbacks: label ? { label } : {},
	};
}
