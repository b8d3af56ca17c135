// The OHLCV legend in the chart's top-left corner, following the crosshair, plus one entry
// per active overlay. Plain DOM text: it is a label, not a drawing on the price scale.
import { formatTime } from "./time.js";

function fmt(value, digits) {
  return value === null || value === undefined ? "—" : value.toFixed(digits);
}

function fmtVolume(v) {
  if (v >= 1e9) return `${(v / 1e9).toFixed(2)}B`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)}K`;
  return v.toFixed(0);
}

export function digitsFor(price) {
  if (price >= 1) return 2;
  if (price >= 0.01) return 4;
  return 8;
}

export class Legend {
  constructor(parent) {
    this.root = document.createElement("div");
    this.root.className = "td-legend";
    this.title = document.createElement("div");
    this.title.className = "td-legend-title";
    this.ohlc = document.createElement("div");
    this.ohlc.className = "td-legend-ohlc";
    this.entries = document.createElement("div");
    this.entries.className = "td-legend-entries";
    this.root.append(this.title, this.ohlc, this.entries);
    parent.append(this.root);
  }

  setTitle(symbol, venue, interval) {
    this.title.textContent = `${symbol} · ${venue} · ${interval}`;
  }

  setBar(bar, previousClose, zone, up, down) {
    this.ohlc.replaceChildren();
    if (!bar) return;
    const digits = digitsFor(bar.close);
    const change = previousClose ? ((bar.close - previousClose) / previousClose) * 100 : null;
    const color = bar.close >= bar.open ? up : down;
    const add = (label, text, colored = true) => {
      const key = document.createElement("span");
      key.className = "td-legend-key";
      key.textContent = label;
      const value = document.createElement("span");
      value.textContent = text;
      if (colored) value.style.color = color;
      this.ohlc.append(key, value);
    };
    add("", formatTime(bar.time, zone), false);
    add("O", fmt(bar.open, digits));
    add("H", fmt(bar.high, digits));
    add("L", fmt(bar.low, digits));
    add("C", fmt(bar.close, digits));
    if (change !== null) add("", `${change >= 0 ? "+" : ""}${change.toFixed(2)}%`);
    add("V", fmtVolume(bar.volume ?? 0), false);
  }

  setEntries(entries) {
    this.entries.replaceChildren(...entries.map(({ label, color, value }) => {
      const item = document.createElement("span");
      item.className = "td-legend-entry";
      const swatch = document.createElement("i");
      swatch.className = "td-legend-swatch";
      swatch.style.background = color;
      item.append(swatch, label);
      if (value !== null && value !== undefined) {
        const v = document.createElement("b");
        v.textContent = ` ${value.toFixed(2)}`;
        item.append(v);
      }
      return item;
    }));
  }
}
