// opsdesk progressive enhancement. Every page works without this file; it only adds:
// auto-submitting selects, and drag-and-drop on boards (the move form stays the keyboard way).
"use strict";
document.addEventListener("change", (e) => {
  const el = e.target;
  if (el.matches && el.matches("select.autosubmit") && el.form) el.form.requestSubmit();
});
document.addEventListener("dragstart", (e) => {
  const card = e.target.closest && e.target.closest(".cardlet[draggable]");
  if (card) e.dataTransfer.setData("text/plain", card.dataset.moveForm || "");
});
document.addEventListener("dragover", (e) => {
  const col = e.target.closest && e.target.closest(".column[data-status]");
  if (col) { e.preventDefault(); col.classList.add("drop-target"); }
});
document.addEventListener("dragleave", (e) => {
  const col = e.target.closest && e.target.closest(".column[data-status]");
  if (col) col.classList.remove("drop-target");
});
document.addEventListener("drop", (e) => {
  const col = e.target.closest && e.target.closest(".column[data-status]");
  if (!col) return;
  e.preventDefault();
  col.classList.remove("drop-target");
  const form = document.getElementById(e.dataTransfer.getData("text/plain"));
  if (!form) return;
  form.querySelector("select[name=status]").value = col.dataset.status;
  form.requestSubmit();
});
// Charts: any element with data-chart holds an ECharts option as JSON (no inline script: CSP).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-chart]").forEach((el) => {
    if (!window.echarts) return;
    const dark = document.documentElement.dataset.theme === "dark" ||
      (document.documentElement.dataset.theme === "system" && matchMedia("(prefers-color-scheme: dark)").matches);
    const chart = window.echarts.init(el, dark ? "dark" : null);
    chart.setOption(JSON.parse(el.dataset.chart));
    addEventListener("resize", () => chart.resize());
  });
});
