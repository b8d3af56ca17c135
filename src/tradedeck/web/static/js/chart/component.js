// The TradeDeck chart: candles + volume, crosshair legend, UTC/local time, theme, infinite
// scroll back, analytics overlays, drawings, live candles and one scanned pattern singled out
// (options.pattern). Mounted by `mountChart()` on the chart page, the instrument page and
// anywhere else (the mini trend is MiniChart, mini.js).
import {
  CandlestickSeries, HistogramSeries, createChart,
} from "../../vendor/lightweight-charts/lightweight-charts.standalone.production.mjs";
import {
  DEFAULT_CANDLES, MAX_CANDLES, candleWindow, fetchAnalytics, fetchCandles, savePreferences,
} from "./api.js";
import { DrawingTools } from "./drawings.js";
import { Legend } from "./legend.js";
import { LiveFeed } from "./live.js";
import { OverlayLayer } from "./overlay-layer.js";
import { OVERLAYS, OVERLAY_KEYS, paramsOf } from "./overlays.js";
import { PatternHighlight } from "./pattern.js";
import { installPicker, openTickDataForm } from "./picker.js";
import { TimeIndex } from "./primitives/time-index.js";
import { chartThemeOptions, currentTheme, palette } from "./theme.js";
import { crosshairFormatter, formatTime, intervalSeconds, tickMarkFormatter } from "./time.js";
import { buildSurface, markReady, showState, unregister } from "./surface.js";
import { buildToolbar } from "./toolbar.js";

const OLDER_BATCH = 1000;
const VISIBLE_BARS = 250;
const SCROLL_EDGE = 30;

function normalizeOverlays(chosen = {}) {
  const out = {};
  for (const key of OVERLAY_KEYS) {
    const c = chosen[key] ?? {};
    out[key] = { on: Boolean(c.on), params: paramsOf(key, c.params ?? {}) };
  }
  return out;
}

export class ChartComponent {
  constructor(element, options) {
    this.element = element;
    this.id = options.id || element.id || "chart";
    this.features = { picker: true, drawings: true, overlays: true, live: true, ...options.features };
    this.limit = options.limit ?? DEFAULT_CANDLES;
    this.persist = Boolean(options.persist);
    this.syncUrl = Boolean(options.syncUrl);
    this.state = {
      symbol: options.symbol, venue: options.venue ?? null, interval: options.interval ?? "15m",
      start: options.start ?? null, end: options.end ?? null,
      overlays: normalizeOverlays(options.overlays), timezone: options.timezone === "utc" ? "utc" : "local",
    };
    this.candles = [];
    this.times = [];
    this.studies = null;
    this.analyticsSeq = 0;
    this.loadSeq = 0;
    this.isReady = false;
    this.exhausted = false;
    this.loadingOlder = false;
    this.destroyed = false;
    if (this.features.picker) installPicker();
    this._build(options.height);
    if (options.pattern !== undefined && options.pattern !== null && options.pattern !== "") {
      this.highlight = new PatternHighlight({
        chart: this.chart, series: this.series, timeIndex: this.timeIndex, parent: this.body,
        id: options.pattern, colors: this.colors,
      });
    }
    this.ready = this.load();
  }

  // ---- construction ------------------------------------------------------------------------

  _build(height) {
    Object.assign(this, buildSurface(this.element, height));
    const credit = document.createElement("a");
    credit.className = "td-chart-credit";
    credit.href = "https://www.tradingview.com/";
    credit.target = "_blank";
    credit.rel = "noopener";
    credit.textContent = "Charts by TradingView";
    this.colors = palette();
    this.body.append(credit);
    this.toolbar = buildToolbar(this.element, this.state, this.features, {
      interval: (iv) => this.setInterval(iv),
      toggle: (key) => this.toggleOverlay(key),
      params: (key, params) => this.setOverlayParams(key, params),
      action: (name) => this._action(name),
    });
    this.chart = createChart(this.surface, {
      autoSize: true,
      ...chartThemeOptions(),
      localization: { timeFormatter: crosshairFormatter(this.state.timezone) },
      timeScale: { ...chartThemeOptions().timeScale, timeVisible: true, secondsVisible: false,
        rightOffset: 8, tickMarkFormatter: tickMarkFormatter(this.state.timezone) },
      rightPriceScale: { ...chartThemeOptions().rightPriceScale, scaleMargins: { top: 0.08, bottom: 0.22 } },
      crosshair: { mode: 0 },
    });
    this.series = this.chart.addSeries(CandlestickSeries, this._candleColors());
    this.volume = this.chart.addSeries(HistogramSeries, {
      priceScaleId: "volume", priceFormat: { type: "volume" }, priceLineVisible: false, lastValueVisible: false,
    });
    this.chart.priceScale("volume").applyOptions({ scaleMargins: { top: 0.82, bottom: 0 } });
    this.timeIndex = new TimeIndex(intervalSeconds(this.state.interval));
    this.timeIndex.setTimes(this.times);
    this.layer = new OverlayLayer(this.chart, this.series, this.timeIndex);
    this.legend = new Legend(this.body);
    this.chart.subscribeCrosshairMove((param) => this._crosshair(param));
    this.chart.timeScale().subscribeVisibleLogicalRangeChange((range) => {
      if (range && range.from < SCROLL_EDGE && this.isReady) this.loadOlder();
    });
    this._onTheme = () => this.applyTheme();
    document.addEventListener("tradedeck:theme", this._onTheme);
    this._syncToolbar();
  }

  _candleColors() {
    const c = this.colors;
    return { upColor: c.up, downColor: c.down, borderUpColor: c.up, borderDownColor: c.down, wickUpColor: c.up, wickDownColor: c.down };
  }

  _volumeBar(bar) {
    return { time: bar.time, value: bar.volume, color: bar.close >= bar.open ? this.colors.volumeUp : this.colors.volumeDown };
  }

  _syncToolbar() {
    const swatches = {};
    for (const def of OVERLAYS) swatches[def.key] = this.layer?.legendColor(def.key, this.colors);
    this.toolbar?.sync(this.state, {
      swatches, selected: this.drawings?.selectedId != null, mode: this.drawings?.mode,
    });
  }

  // ---- loading -----------------------------------------------------------------------------

  _window() {
    return candleWindow(this.state, this.limit);
  }

  // Candles, analytics and drawings are requested together: the analytics window is the
  // candle window, so nothing waits for the candles to come back first.
  async load() {
    const seq = ++this.loadSeq;
    this.isReady = false;
    this.live?.stop();
    this._showState("loading");
    this.toolbar?.setStatus("muted", "");
    this.toolbar?.setLive("muted", "");
    const win = this._window();
    const { symbol, venue, interval } = this.state;
    const studies = this._requestStudies(win);
    const drawings = this.features.drawings && venue
      ? this._ensureDrawings(venue).load().catch((e) => this._notify(e)) : null;
    let body;
    try {
      body = await fetchCandles({ symbol, venue, interval, ...win });
    } catch (error) {
      if (seq === this.loadSeq) this._showError(error);
      return;
    }
    if (seq !== this.loadSeq) return;
    this.state.venue = body.venue;
    this._setCandles(body.candles);
    this.exhausted = false;
    this.legend?.setTitle(body.symbol, body.venue, body.interval);
    this.highlight?.setInstrument(body.symbol, body.venue);
    this._syncToolbar();
    if (!body.candles.length) {
      this._showEmpty();
      this._markReady();
      return;
    }
    this._showState(null);
    this._fitLatest();
    this._showLastBar();
    performance.mark(`tradedeck:chart:candles:${this.id}`);
    await Promise.all([
      drawings ?? (this.features.drawings ? this._ensureDrawings(body.venue).load().catch((e) => this._notify(e)) : null),
      this._applyStudies(studies),
      this.highlight?.loaded,
    ]);
    if (seq !== this.loadSeq) return;
    this.highlight?.focus();
    await this._markReady();
    if (seq !== this.loadSeq) return;
    if (this.features.live && this._rangeIncludesNow()) this._startLive();
  }

  _markReady() {
    return markReady(this);
  }

  _setCandles(candles) {
    this.candles = candles;
    this.times.length = 0;
    for (const c of candles) this.times.push(c.time);
    this.series.setData(candles);
    this.volume?.setData(candles.map((c) => this._volumeBar(c)));
  }

  _fitLatest() {
    const n = this.candles.length;
    if (n <= VISIBLE_BARS * 1.5) this.chart.timeScale().fitContent();
    else this.chart.timeScale().setVisibleLogicalRange({ from: n - VISIBLE_BARS, to: n + 8 });
  }

  _rangeIncludesNow() {
    return this.state.end === null || this.state.end * 1000 > Date.now();
  }

  async loadOlder() {
    if (this.loadingOlder || this.exhausted || !this.candles.length) return;
    this.loadingOlder = true;
    this.toolbar?.setStatus("muted", "Loading older candles…");
    const { symbol, venue, interval } = this.state;
    const first = this.times[0];
    const seconds = intervalSeconds(interval);
    try {
      let body = await fetchCandles({ symbol, venue, interval, end: first, limit: OLDER_BATCH });
      if (!body.candles.length) {
        // A closed market (weekend, holiday) can fill a whole batch window: look further once.
        body = await fetchCandles({ symbol, venue, interval, start: first - MAX_CANDLES * seconds, end: first, limit: OLDER_BATCH });
      }
      const older = body.candles.filter((c) => c.time < first);
      if (!older.length || interval !== this.state.interval) {
        this.exhausted = older.length === 0;
        this.toolbar?.setStatus("muted", this.exhausted ? "Start of history" : "", 4000);
        return;
      }
      const range = this.chart.timeScale().getVisibleLogicalRange();
      this._setCandles(older.concat(this.candles));
      if (range) this.chart.timeScale().setVisibleLogicalRange({ from: range.from + older.length, to: range.to + older.length });
      this.toolbar?.setStatus("muted", "");
      this._scheduleOverlays();
    } catch (error) {
      this._notify(error);
    } finally {
      this.loadingOlder = false;
    }
  }

  // ---- overlays ----------------------------------------------------------------------------

  _enabledStudies() {
    const studies = {};
    for (const [key, o] of Object.entries(this.state.overlays)) if (o.on) studies[key] = o.params;
    return studies;
  }

  _enabledKeys() {
    return OVERLAY_KEYS.filter((k) => this.state.overlays[k].on);
  }

  // Start the analytics request of the enabled overlays over a window; null when none is on.
  _requestStudies(win) {
    const studies = this._enabledStudies();
    if (!Object.keys(studies).length) return null;
    const seq = ++this.analyticsSeq;
    this.toolbar?.setStatus("muted", "Computing overlays…");
    const { symbol, venue, interval } = this.state;
    // Settled at once into {body} or {error}: it may fail before anyone awaits it.
    const request = fetchAnalytics({ symbol, venue, interval, start: win.start, end: win.end, studies })
      .then((body) => ({ body }), (error) => ({ error }));
    return { seq, request };
  }

  // Draw an analytics answer (dropping it if a newer request was started meanwhile).
  async _applyStudies(pending) {
    for (const key of OVERLAY_KEYS) if (!this.state.overlays[key].on) this.layer.clear(key);
    if (!pending) {
      this.studies = null;
      this._updateLegendEntries();
      return;
    }
    const { body, error } = await pending.request;
    if (pending.seq !== this.analyticsSeq) return;
    if (error) {
      this._notify(error);
      return;
    }
    this.studies = body;
    this._drawStudies();
    this.toolbar?.setStatus("muted", "");
  }

  // Recompute overlays over the loaded candles (toggles, scroll back, a closed live candle).
  refreshOverlays() {
    if (!this.candles.length) return this._applyStudies(null);
    const seconds = intervalSeconds(this.state.interval);
    const start = this.times[Math.max(0, this.times.length - MAX_CANDLES)];
    const end = this.times[this.times.length - 1] + seconds;
    return this._applyStudies(this._requestStudies({ start, end }));
  }

  _drawStudies() {
    if (!this.studies) return;
    for (const [key, result] of Object.entries(this.studies.studies)) {
      if (this.state.overlays[key]?.on) this.layer.draw(key, result, this.studies.time, this.colors);
    }
    this._updateLegendEntries();
  }

  _scheduleOverlays() {
    clearTimeout(this._overlayTimer);
    this._overlayTimer = setTimeout(() => this.refreshOverlays(), 400);
  }

  toggleOverlay(key) {
    const o = this.state.overlays[key];
    o.on = !o.on;
    this._overlaysChanged();
  }

  setOverlayParams(key, params) {
    this.state.overlays[key] = { on: true, params: paramsOf(key, params) };
    this._overlaysChanged();
  }

  clearOverlays() {
    for (const o of Object.values(this.state.overlays)) o.on = false;
    this._overlaysChanged();
  }

  _overlaysChanged() {
    this._syncToolbar();
    this.refreshOverlays();
    this._savePrefs();
  }

  _updateLegendEntries(param) {
    const entries = OVERLAY_KEYS.filter((k) => this.layer.legend[k]).map((k) => {
      const line = this.layer.lines[k];
      const point = line && param ? param.seriesData.get(line) : null;
      return { ...this.layer.legend[k], value: point ? point.value : null };
    });
    this.legend?.setEntries(entries);
  }

  // ---- interaction -------------------------------------------------------------------------

  _crosshair(param) {
    const bar = param.time !== undefined ? param.seriesData.get(this.series) : null;
    if (!bar) {
      this._showLastBar();
      return;
    }
    const i = this.timeIndex.logicalOf(bar.time);
    const prev = i > 0 ? this.candles[Math.round(i) - 1] : null;
    this.legend?.setBar({ ...bar, volume: param.seriesData.get(this.volume)?.value ?? 0 }, prev?.close, this.state.timezone, this.colors.up, this.colors.down);
    this._updateLegendEntries(param);
  }

  _showLastBar() {
    const n = this.candles.length;
    this.legend?.setBar(this.candles[n - 1] ?? null, this.candles[n - 2]?.close, this.state.timezone, this.colors.up, this.colors.down);
  }

  async _action(name) {
    if (name === "pick") {
      openTickDataForm({ symbol: this.state.symbol, venue: this.state.venue, interval: this.state.interval, ...this._dates() });
    } else if (name === "trend" || name === "hline") {
      this.drawings?.setMode(name);
    } else if (name === "delete") {
      this.drawings?.deleteSelected();
    } else if (name === "clear") {
      await this.clearAll();
    } else if (name === "timezone") {
      this.setTimezone(this.state.timezone === "utc" ? "local" : "utc");
    } else if (name === "fit") {
      this._fitLatest();
    }
  }

  // "Clear": overlays go at once; drawings (the user's own work) only after a confirmation.
  async clearAll() {
    this.clearOverlays();
    const count = this.drawings?.drawings.length ?? 0;
    if (!count) return;
    if (!window.confirm(`Delete all ${count} drawing(s) on ${this.state.symbol}? This cannot be undone.`)) return;
    try {
      await this.drawings.clearAll();
    } catch (error) {
      this._notify(error);
    }
  }

  _dates() {
    const day = (t) => (t === null ? "" : formatTime(t, "utc", false));
    return { startDate: day(this.state.start), endDate: this.state.end === null ? "" : day(this.state.end - 86400) };
  }

  setInterval(interval) {
    if (interval === this.state.interval) return;
    this.state.interval = interval;
    this.timeIndex.step = intervalSeconds(interval);
    this.studies = null;
    this._syncToolbar();
    this._syncUrl();
    this._savePrefs();
    this.load();
  }

  setTimezone(zone) {
    this.state.timezone = zone;
    this.chart.applyOptions({
      localization: { timeFormatter: crosshairFormatter(zone) },
      timeScale: { tickMarkFormatter: tickMarkFormatter(zone) },
    });
    this._syncToolbar();
    this._showLastBar();
    this._savePrefs();
  }

  applyTheme() {
    this.colors = palette(currentTheme());
    this.chart.applyOptions(chartThemeOptions());
    this.series.applyOptions(this._candleColors());
    this.volume.setData(this.candles.map((c) => this._volumeBar(c)));
    this._drawStudies();
    this.drawings?.setColors(this.colors);
    this.highlight?.setColors(this.colors);
    this._syncToolbar();
    this._showLastBar();
  }

  _ensureDrawings(venue) {
    const instrument = { symbol: this.state.symbol, venue };
    const current = this.drawings?.instrument;
    if (current && current.symbol === instrument.symbol && current.venue === instrument.venue) return this.drawings;
    this.drawings?.destroy();
    this.drawings = new DrawingTools({
      chart: this.chart, series: this.series, timeIndex: this.timeIndex, surface: this.surface,
      instrument, colors: this.colors, onChange: () => this._syncToolbar(), onError: (e) => this._notify(e),
    });
    return this.drawings;
  }

  // ---- live --------------------------------------------------------------------------------

  _startLive() {
    this.live = new LiveFeed({
      symbol: this.state.symbol, venue: this.state.venue, interval: this.state.interval,
      onCandle: (c) => this._liveCandle(c),
      onTick: (tick) => this.element.dispatchEvent(new CustomEvent("tradedeck:chart-tick", { bubbles: true, detail: tick })),
      onConnect: () => this._backfill(),
      onStatus: (kind, nextOpen) => this._liveStatus(kind, nextOpen),
    });
    this.live.start();
  }

  _liveStatus(kind, nextOpen) {
    const text = {
      live: "● Live", connecting: "Connecting…", reconnecting: "Reconnecting…",
      closed: nextOpen ? `Market closed · opens ${formatTime(Date.parse(nextOpen) / 1000, this.state.timezone)}` : "Market closed",
    }[kind];
    this.toolbar?.setLive(kind, text);
  }

  // Apply one forming/closed candle; older ones are ignored, a jump means we missed candles.
  _liveCandle(c) {
    if (c.symbol !== this.state.symbol || c.interval !== this.state.interval || this.backfilling) return;
    const last = this.candles[this.candles.length - 1];
    const bar = { time: c.time, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume };
    if (last && bar.time < last.time) return;
    if (last && bar.time > last.time + intervalSeconds(this.state.interval)) {
      this._backfill();
      return;
    }
    this._upsertBar(bar);
  }

  _upsertBar(bar) {
    const n = this.candles.length;
    const last = this.candles[n - 1];
    if (last && bar.time === last.time) {
      this.candles[n - 1] = bar;
    } else {
      this.candles.push(bar);
      this.times.push(bar.time);
      if (last) this._scheduleOverlays();
    }
    this.series.update(bar);
    this.volume?.update(this._volumeBar(bar));
    this._showLastBar();
  }

  // Fetch what happened since our last candle (after a reconnect) and merge it by time.
  async _backfill() {
    if (this.backfilling || !this.candles.length) return;
    this.backfilling = true;
    const { symbol, venue, interval } = this.state;
    try {
      // An explicit end past our clock and past the candle after our last one: the server's
      // default end (its own "now") can precede our forming candle, and our clock can lag.
      const last = this.times[this.times.length - 1];
      const seconds = intervalSeconds(interval);
      const end = Math.max(Math.floor(Date.now() / 1000), last + seconds) + seconds;
      const body = await fetchCandles({ symbol, venue, interval, start: last, end, limit: MAX_CANDLES });
      if (interval !== this.state.interval) return;
      for (const bar of body.candles) {
        if (bar.time >= this.times[this.times.length - 1]) this._upsertBar(bar);
      }
    } catch (error) {
      this._notify(error);
    } finally {
      this.backfilling = false;
    }
  }

  // ---- state, errors, persistence ----------------------------------------------------------

  _showState(kind, title = "", text = "", actions = []) {
    showState(this.overlayBox, kind, title, text, actions);
  }

  _actionButton(label, handler, cls = "btn-primary") {
    const b = document.createElement("button");
    b.type = "button";
    b.className = `btn btn-sm ${cls} mx-1`;
    b.textContent = label;
    b.addEventListener("click", handler);
    return b;
  }

  _showEmpty() {
    const { symbol, interval, start, end } = this.state;
    const period = start || end ? ` between ${this._dates().startDate || "the beginning"} and ${this._dates().endDate || "now"}` : "";
    this._showState("empty", `No ${interval} candles for ${symbol}${period}.`,
      "Try a longer period or a larger interval, or jump to the latest data.", [
        this._actionButton("Show latest data", () => { this.state.start = null; this.state.end = null; this._syncUrl(); this.load(); }),
        ...(this.features.picker ? [this._actionButton("Change period…", () => this._action("pick"), "btn-outline-secondary")] : []),
      ]);
  }

  _showError(error) {
    const title = error.providerDown ? "Market data provider unreachable" : "Could not load candles";
    this._showState("error", title, error.message, [this._actionButton("Retry", () => this.load())]);
    this.toolbar?.setStatus("error", error.providerDown ? "Provider unreachable" : "Error");
    this._markReady();
  }

  _notify(error) {
    this.toolbar?.setStatus("error", error.message);
  }

  _savePrefs() {
    if (!this.persist) return;
    clearTimeout(this._prefsTimer);
    this._prefsTimer = setTimeout(() => {
      const { symbol, venue, interval, timezone, overlays } = this.state;
      savePreferences({ symbol, venue, interval, timezone, overlays }).catch((e) => this._notify(e));
    }, 300);
  }

  _syncUrl() {
    if (!this.syncUrl) return;
    const url = new URL(window.location.href);
    url.searchParams.set("interval", this.state.interval);
    const { startDate, endDate } = this._dates();
    for (const [key, value] of [["startDate", startDate], ["endDate", endDate]]) {
      if (value) url.searchParams.set(key, value); else url.searchParams.delete(key);
    }
    window.history.replaceState(null, "", url);
  }

  // ---- test hook ---------------------------------------------------------------------------

  stats() {
    return {
      id: this.id,
      ready: this.isReady,
      symbol: this.state.symbol,
      venue: this.state.venue,
      interval: this.state.interval,
      candles: this.candles.length,
      firstTime: this.times[0] ?? null,
      lastTime: this.times[this.times.length - 1] ?? null,
      enabled: this._enabledKeys(),
      overlays: structuredClone(this.layer.counts),
      drawings: this.drawings?.drawings.length ?? 0,
      panes: this.chart.panes().length,
      pattern: this.highlight?.stats() ?? null,
    };
  }

  // Stop everything the chart started: pending loads, timers, the live feed, drawings and
  // overlay primitives, toolbar notes, listeners and its registry entry.
  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    this.loadSeq += 1;
    this.analyticsSeq += 1;
    clearTimeout(this._overlayTimer);
    clearTimeout(this._prefsTimer);
    this.live?.stop();
    this.live = null;
    this.drawings?.destroy();
    this.highlight?.destroy();
    this.layer.destroy();
    this.toolbar.destroy();
    document.removeEventListener("tradedeck:theme", this._onTheme);
    unregister(this);
    this.chart.remove();
  }
}
