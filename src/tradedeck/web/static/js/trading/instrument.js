// Instrument page: candlestick chart and the order ticket (buy/sell tabs, price fields).
import {
  CandlestickSeries,
  createChart,
} from "../../vendor/lightweight-charts/lightweight-charts.standalone.production.mjs";
import { chartTheme, onThemeChange } from "./theme.js";

async function drawChart() {
  const container = document.getElementById("price-chart");
  if (!container) return;
  const response = await fetch(container.dataset.candlesUrl, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`candles: HTTP ${response.status}`);
  const data = await response.json();
  if (data.candles.length === 0) {
    container.classList.add("d-none");
    container.parentElement.querySelector(".chart-credit")?.classList.add("d-none");
    document.getElementById("chart-empty").classList.remove("d-none");
    return;
  }
  document.getElementById("chart-interval").textContent = `${data.interval} candles`;
  const chart = createChart(container, { ...chartTheme(), autoSize: true });
  const series = chart.addSeries(CandlestickSeries, {
    upColor: "#26a69a", downColor: "#ef5350", borderVisible: false,
    wickUpColor: "#26a69a", wickDownColor: "#ef5350",
  });
  series.setData(data.candles);
  chart.timeScale().fitContent();
  onThemeChange(chart);
}

function setupTicket() {
  const form = document.getElementById("order-form");
  if (!form) return;
  const sideInput = document.getElementById("order-side");
  const submit = document.getElementById("order-submit");
  const typeSelect = document.getElementById("order-type");
  const symbol = document.getElementById("price-chart")?.dataset.symbol ?? "";

  const showPriceFields = () => {
    const type = typeSelect.value;
    for (const field of form.querySelectorAll(".price-field")) {
      const used = field.dataset.for === "limit"
        ? type === "limit" || type === "stop_limit"
        : type === "stop" || type === "stop_limit";
      field.classList.toggle("d-none", !used);
    }
  };
  const selectSide = (side) => {
    sideInput.value = side;
    for (const tab of document.querySelectorAll(".side-tab")) {
      const active = tab.dataset.side === side;
      tab.classList.toggle("active", active);
      tab.setAttribute("aria-selected", String(active));
    }
    submit.classList.toggle("btn-success", side === "buy");
    submit.classList.toggle("btn-danger", side === "sell");
    submit.textContent = `${side === "buy" ? "Buy" : "Sell"} ${symbol}`;
    htmx.trigger(form, "side-changed");
  };
  for (const tab of document.querySelectorAll(".side-tab")) {
    tab.addEventListener("click", () => selectSide(tab.dataset.side));
  }
  typeSelect.addEventListener("change", showPriceFields);
  showPriceFields();
}

setupTicket();
drawChart().catch((error) => console.warn("chart not drawn:", error));
