// Saved tickers: live prices of simulated rows through the tick stream (SSE), re-bound after htmx swaps.
import { installPicker } from "../chart/picker.js";

installPicker();

const MAX_SYMBOLS = 100;
let source = null;

function rows() {
  return [...document.querySelectorAll("tr[data-live-symbol]")].slice(0, MAX_SYMBOLS);
}

function formatChange(price, previous) {
  if (!previous || Number(previous) === 0) return null;
  return ((Number(price) - Number(previous)) / Number(previous)) * 100;
}

function update(row, tick) {
  const priceCell = row.querySelector('[data-field="price"]');
  const old = Number(priceCell.textContent);
  priceCell.textContent = tick.price;
  const change = formatChange(tick.price, tick.previous_close);
  if (change !== null) {
    const cell = row.querySelector('[data-field="change"]');
    cell.textContent = `${change >= 0 ? "+" : ""}${change.toFixed(2)}%`;
    cell.classList.toggle("text-up", change >= 0);
    cell.classList.toggle("text-down", change < 0);
  }
  const moved = Number(tick.price) - old;
  if (moved !== 0 && !Number.isNaN(old)) {
    row.classList.add(moved > 0 ? "flash-up" : "flash-down");
    setTimeout(() => row.classList.remove("flash-up", "flash-down"), 700);
  }
}

function connect() {
  source?.close();
  source = null;
  const live = rows();
  if (!live.length || !window.EventSource) return;
  const byKey = new Map(live.map((row) => [row.dataset.liveSymbol, row]));
  const symbols = encodeURIComponent([...byKey.keys()].join(","));
  source = new EventSource(`/api/v1/stream?symbols=${symbols}`);
  source.addEventListener("tick", (event) => {
    const tick = JSON.parse(event.data);
    const row = byKey.get(`${tick.venue}:${tick.symbol}`);
    if (row) update(row, tick);
  });
}

document.body.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target.id === "ticker-results") connect();
});
window.addEventListener("pagehide", () => source?.close());
connect();
