// Runs before the stylesheet is applied (a plain, synchronous script in
// <head>), so the first paint already has the right theme: the one saved
// with "t" or the toggle, else the system's preference.
(function () {
	var t = null;
	try { t = localStorage.getItem("llmflow-theme"); } catch (e) { /* storage blocked */ }
	if (t !== "light" && t !== "dark")
		t = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
	document.documentElement.dataset.theme = t;
	document.documentElement.style.colorScheme = t;
})();
