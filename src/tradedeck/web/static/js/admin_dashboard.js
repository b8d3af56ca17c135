// Admin dashboard: two small histograms (orders and active users per UTC hour) from
// /api/v1/admin/dashboard/series, redrawn every minute and on theme changes.
import {
  HistogramSeries,
  createChart,
} from "../vendor/lightweight-charts/lightweight-charts.standalone.production.mjs";
import { chartThemeOptions } from "./chart/theme.js";

const REFRESH_MS = 60_000;
const COLORS = { orders: "#2f80ed", active_users: "#26a69a" };

function themeOptions() {
  const theme = chartThemeOptions();
  return {
    ...theme,
    layout: { ...theme.layout, background: { color: "transparent" } },
    timeScale: { ...theme.timeScale, timeVisible: true, secondsVisible: false },
    rightPriceScale: { ...theme.rightPriceScale, scaleMargins: { top: 0.15, bottom: 0 } },
    handleScroll: false,
    handleScale: false,
  };
}

function makeChart(container) {
  const chart = createChart(container, { ...themeOptions(), autoSize: true });
  const series = chart.addSeries(HistogramSeries, {
    color: COLORS[container.dataset.series] ?? "#2f80ed",
    priceFormat: { type: "price", precision: 0, minMove: 1 },
    priceLineVisible: false,
  });
  document.addEventListener("tradedeck:theme", () => chart.applyOptions(themeOptions()));
  return { container, chart, series };
}

function show(view, points) {
  const empty = document.querySelector(`[data-empty-for="${view.container.id}"]`);
  const hasData = points.some((p) => p.value > 0);
  empty?.classList.toggle("d-none", hasData);
  view.container.classList.toggle("d-none", !hasData);
  view.series.setData(points);
  if (hasData) view.chart.timeScale().fitContent();
}

async function refresh(views) {
  const url = views[0].container.dataset.url;
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`series: HTTP ${response.status}`);
  const body = await response.json();
  for (const view of views) show(view, body[view.container.dataset.series] ?? []);
  document.documentElement.dataset.adminCharts = "ready";
}

const containers = [...document.querySelectorAll(".admin-chart")];
if (containers.length) {
  const views = containers.map(makeChart);
  const tick = () => refresh(views).catch((error) => console.warn("dashboard charts:", error));
  tick();
  setInterval(tick, REFRESH_MS);
}
