// Portfolio page: equity history as an area chart of the worker's samples, in the colours of
// the shared chart theme (js/chart/theme.js) on the card's own background.
import {
  AreaSeries,
  createChart,
} from "../../vendor/lightweight-charts/lightweight-charts.standalone.production.mjs";
import { chartThemeOptions } from "../chart/theme.js";

function themeOptions() {
  const theme = chartThemeOptions();
  return { ...theme, layout: { ...theme.layout, background: { color: "transparent" } }, timeScale: { ...theme.timeScale, timeVisible: true } };
}

async function drawEquity() {
  const container = document.getElementById("equity-chart");
  if (!container) return;
  const response = await fetch(container.dataset.url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`equity: HTTP ${response.status}`);
  const { points } = await response.json();
  if (points.length === 0) {
    container.classList.add("d-none");
    container.parentElement.querySelector(".chart-credit")?.classList.add("d-none");
    document.getElementById("equity-empty").classList.remove("d-none");
    return;
  }
  const chart = createChart(container, { ...themeOptions(), autoSize: true });
  const series = chart.addSeries(AreaSeries, {
    lineColor: "#2f80ed", topColor: "rgba(47,128,237,0.35)", bottomColor: "rgba(47,128,237,0.02)",
    lineWidth: 2,
  });
  series.setData(points.map((p) => ({ time: p.time, value: Number(p.equity) })));
  chart.timeScale().fitContent();
  document.addEventListener("tradedeck:theme", () => chart.applyOptions(themeOptions()));
}

drawEquity().catch((error) => console.warn("equity chart not drawn:", error));
