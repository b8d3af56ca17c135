// Backtests pages: the run form (strategy parameters per strategy, compare selection), one
// run's price/equity/drawdown charts with its trades as markers, and the comparison chart.
// Lightweight Charts v5 in the shared theme colours; charts follow the theme toggle.
import {
  AreaSeries,
  CandlestickSeries,
  LineSeries,
  createChart,
  createSeriesMarkers,
} from "../vendor/lightweight-charts/lightweight-charts.standalone.production.mjs";
import { chartThemeOptions, palette } from "./chart/theme.js";

const COMPARE_COLORS = ["#2f80ed", "#f2994a", "#9b51e0", "#27ae60"];

function themeOptions() {
  const theme = chartThemeOptions();
  return {
    ...theme,
    layout: { ...theme.layout, background: { color: "transparent" } },
    timeScale: { ...theme.timeScale, timeVisible: true },
  };
}

function setupForm() {
  const form = document.getElementById("backtest-form");
  if (!form) return;
  const strategy = form.querySelector("[name=strategy]");
  const showParams = () => {
    for (const fieldset of form.querySelectorAll(".strategy-params")) {
      const active = fieldset.dataset.strategy === strategy.value;
      fieldset.hidden = !active;
      fieldset.disabled = !active;
    }
  };
  strategy.addEventListener("change", showParams);
  showParams();
  form.querySelector("[name=symbol]")?.setAttribute("list", "instrument-hints");
  form.addEventListener("submit", () => {
    const button = form.querySelector("#run-backtest");
    button.disabled = true;
    button.innerHTML = '<span class="spinner-border spinner-border-sm"></span> Starting…';
  });
}

function setupCompare() {
  const form = document.getElementById("compare-form");
  if (!form) return;
  const button = form.querySelector("#compare-button");
  const max = Number(button.dataset.max);
  const update = () => {
    const checked = form.querySelectorAll(".compare-check:checked").length;
    button.disabled = checked < 2 || checked > max;
  };
  form.addEventListener("change", update);
  update();
}

async function getJson(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

function tradeMarkers(run, colors) {
  const markers = [];
  for (const t of run.trades) {
    const long = t.size > 0;
    markers.push({
      time: t.entry_time,
      position: long ? "belowBar" : "aboveBar",
      color: long ? colors.up : colors.down,
      shape: long ? "arrowUp" : "arrowDown",
      text: long ? "Long" : "Short",
    });
    markers.push({
      time: t.exit_time,
      position: long ? "aboveBar" : "belowBar",
      color: t.pnl >= 0 ? colors.up : colors.down,
      shape: "circle",
      text: { stop: "SL", target: "TP" }[t.reason] ?? "",
    });
  }
  if (run.open_trade) {
    const long = run.open_trade.size > 0;
    markers.push({
      time: run.open_trade.entry_time,
      position: long ? "belowBar" : "aboveBar",
      color: long ? colors.up : colors.down,
      shape: long ? "arrowUp" : "arrowDown",
      text: "Open",
    });
  }
  return markers.sort((a, b) => a.time - b.time);
}

function syncTimeScales(charts) {
  for (const chart of charts) {
    chart.timeScale().subscribeVisibleLogicalRangeChange((range) => {
      if (!range) return;
      for (const other of charts) {
        if (other !== chart) other.timeScale().setVisibleLogicalRange(range);
      }
    });
  }
}

async function drawRun() {
  const root = document.getElementById("backtest-charts");
  if (!root) return;
  const status = document.getElementById("chart-status");
  const { run } = await getJson(root.dataset.url);
  const s = run.series;
  const colors = palette();
  const pane = (name) => root.querySelector(`[data-pane=${name}]`);
  const price = createChart(pane("price"), { ...themeOptions(), autoSize: true });
  const candles = price.addSeries(CandlestickSeries, {
    upColor: colors.up, downColor: colors.down, borderVisible: false,
    wickUpColor: colors.up, wickDownColor: colors.down,
  });
  candles.setData(s.time.map((time, i) => ({
    time, open: s.open[i], high: s.high[i], low: s.low[i], close: s.close[i],
  })));
  const markers = tradeMarkers(run, colors);
  createSeriesMarkers(candles, markers);

  const equityChart = createChart(pane("equity"), { ...themeOptions(), autoSize: true });
  const equity = equityChart.addSeries(AreaSeries, {
    lineColor: "#2f80ed", topColor: "rgba(47,128,237,0.30)", bottomColor: "rgba(47,128,237,0.02)",
    lineWidth: 2,
  });
  const equityPoints = s.time
    .map((time, i) => ({ time, value: s.equity[i] }))
    .filter((p) => p.value !== null);
  equity.setData(equityPoints);

  const ddChart = createChart(pane("drawdown"), { ...themeOptions(), autoSize: true });
  const drawdown = ddChart.addSeries(AreaSeries, {
    lineColor: colors.down, topColor: "rgba(239,83,80,0.05)", bottomColor: "rgba(239,83,80,0.35)",
    lineWidth: 1, invertFilledArea: true,
  });
  drawdown.setData(s.time.map((time, i) => ({ time, value: s.drawdown[i] ?? 0 })));

  const charts = [price, equityChart, ddChart];
  for (const chart of charts) chart.timeScale().fitContent();
  syncTimeScales(charts);
  document.addEventListener("tradedeck:theme", () => {
    for (const chart of charts) chart.applyOptions(themeOptions());
  });
  status.textContent = `${s.time.length} bars · ${run.trades.length} trades`;
  root.dataset.ready = "true";
  window.tradedeckBacktest = {
    candles: s.time.length,
    equityPoints: equityPoints.length,
    markers: markers.length,
    trades: run.trades.length,
  };
}

async function drawCompare() {
  const root = document.getElementById("compare-chart");
  if (!root) return;
  const chart = createChart(root, { ...themeOptions(), autoSize: true });
  const legend = document.getElementById("compare-legend");
  const runs = await Promise.all(root.dataset.urls.split(" ").map((url) => getJson(url)));
  runs.forEach(({ run }, k) => {
    const color = COMPARE_COLORS[k % COMPARE_COLORS.length];
    const line = chart.addSeries(LineSeries, { color, lineWidth: 2 });
    const start = Number(run.cash);
    const s = run.series || { time: [], equity: [] };
    line.setData(s.time
      .map((time, i) => ({ time, value: s.equity[i] === null ? null : (s.equity[i] / start) * 100 }))
      .filter((p) => p.value !== null));
    const item = document.createElement("span");
    item.innerHTML = `<i class="bi bi-square-fill"></i> `;
    item.querySelector("i").style.color = color;
    item.append(`#${run.id} ${run.symbol} ${run.strategy}`);
    legend.append(item);
  });
  chart.timeScale().fitContent();
  document.addEventListener("tradedeck:theme", () => chart.applyOptions(themeOptions()));
  root.dataset.ready = "true";
}

setupForm();
setupCompare();
drawRun().catch((error) => {
  const status = document.getElementById("chart-status");
  if (status) status.textContent = "Charts could not be drawn.";
  console.warn("backtest charts not drawn:", error);
});
drawCompare().catch((error) => console.warn("comparison chart not drawn:", error));
