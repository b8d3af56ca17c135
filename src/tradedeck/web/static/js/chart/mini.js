// The mini trend: one area series of closes on a bare, static surface (no toolbar, legend,
// axes, crosshair, overlays, drawings or live candles), coloured by its trend.
import { AreaSeries, createChart } from "../../vendor/lightweight-charts/lightweight-charts.standalone.production.mjs";
import { DEFAULT_CANDLES, candleWindow, fetchCandles } from "./api.js";
import { buildSurface, markReady, showState, unregister } from "./surface.js";
import { chartThemeOptions, palette } from "./theme.js";

function miniOptions() {
  return { layout: { ...chartThemeOptions().layout, background: { color: "transparent" } } };
}

export class MiniChart {
  constructor(element, options) {
    this.element = element;
    this.id = options.id || element.id || "chart";
    this.limit = options.limit ?? DEFAULT_CANDLES;
    this.state = {
      symbol: options.symbol, venue: options.venue ?? null, interval: options.interval ?? "15m",
      start: options.start ?? null, end: options.end ?? null,
    };
    this.candles = [];
    this.isReady = false;
    this.destroyed = false;
    const { surface, overlayBox } = buildSurface(element, options.height);
    this.overlayBox = overlayBox;
    element.classList.add("td-chart-mini");
    this.colors = palette();
    this.chart = createChart(surface, {
      autoSize: true,
      ...miniOptions(),
      grid: { vertLines: { visible: false }, horzLines: { visible: false } },
      rightPriceScale: { visible: false, scaleMargins: { top: 0.1, bottom: 0.1 } },
      leftPriceScale: { visible: false },
      timeScale: { visible: false, borderVisible: false, fixLeftEdge: true, fixRightEdge: true },
      crosshair: { vertLine: { visible: false }, horzLine: { visible: false } },
      handleScroll: false,
      handleScale: false,
    });
    this.series = this.chart.addSeries(AreaSeries, {
      lineWidth: 1.5, priceLineVisible: false, lastValueVisible: false, crosshairMarkerVisible: false,
    });
    this._onTheme = () => this.applyTheme();
    document.addEventListener("tradedeck:theme", this._onTheme);
    this.ready = this.load();
  }

  async load() {
    showState(this.overlayBox, "loading");
    const { symbol, venue, interval } = this.state;
    let body;
    try {
      body = await fetchCandles({ symbol, venue, interval, ...candleWindow(this.state, this.limit) });
    } catch (error) {
      if (this.destroyed) return;
      showState(this.overlayBox, "error", "Unavailable", error.message);
      await markReady(this);
      return;
    }
    if (this.destroyed) return;
    this.state.venue = body.venue;
    this.candles = body.candles;
    this.series.setData(body.candles.map((c) => ({ time: c.time, value: c.close })));
    this.series.applyOptions(this._style());
    showState(this.overlayBox, body.candles.length ? null : "empty", "No recent history");
    if (body.candles.length) {
      this.chart.timeScale().fitContent();
      performance.mark(`tradedeck:chart:candles:${this.id}`);
    }
    await markReady(this);
  }

  _style() {
    const first = this.candles[0]?.close;
    const last = this.candles[this.candles.length - 1]?.close;
    const color = last < first ? this.colors.down : this.colors.up;
    return { lineColor: color, topColor: `${color}40`, bottomColor: `${color}00` };
  }

  applyTheme() {
    this.colors = palette();
    this.chart.applyOptions(miniOptions());
    this.series.applyOptions(this._style());
  }

  stats() {
    return {
      id: this.id, ready: this.isReady, mode: "mini", symbol: this.state.symbol, venue: this.state.venue,
      interval: this.state.interval, candles: this.candles.length, panes: this.chart.panes().length,
      firstTime: this.candles[0]?.time ?? null, lastTime: this.candles[this.candles.length - 1]?.time ?? null,
    };
  }

  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    document.removeEventListener("tradedeck:theme", this._onTheme);
    unregister(this);
    this.chart.remove();
  }
}
