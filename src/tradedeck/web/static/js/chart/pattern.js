// One scanned pattern singled out on the chart (`?pattern=<id>`, the /patterns chart links):
// its zone as a highlighted box from its bar to its end (resolution, time expiry, or the pane's
// right edge), entry/stop/target lines labelled on the zone and on the price axis, and a
// dismissible badge (kind, timeframe, status, score). A bad or unknown id, or a pattern of
// another instrument, draws nothing and says so in the badge; the chart itself is unaffected.
import { fetchPattern } from "./api.js";
import { digitsFor } from "./legend.js";
import { BoxesPrimitive } from "./primitives/boxes.js";
import { SegmentsPrimitive } from "./primitives/segments.js";

const LEVELS = [["entry", "Entry"], ["stop", "Stop"], ["target", "Target"]];
const STATUS_BADGE = {
  active: "text-bg-primary", mitigated: "text-bg-info", filled: "text-bg-secondary",
  invalidated: "text-bg-warning", expired: "text-bg-secondary",
};
const MIN_SPAN_BARS = 12;
const MIN_ZONE_PX = 6;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export class PatternHighlight {
  constructor({ chart, series, timeIndex, parent, id, colors }) {
    this.chart = chart;
    this.series = series;
    this.timeIndex = timeIndex;
    this.parent = parent;
    this.id = String(id);
    this.colors = colors;
    this.pattern = null;
    this.state = "loading";
    this.message = null;
    this.focused = false;
    this.dismissed = false;
    this.destroyed = false;
    this.instrument = null;
    this.priceLines = [];
    this.badge = null;
    this.zone = new BoxesPrimitive(timeIndex);
    this.levels = new SegmentsPrimitive(timeIndex, "top");
    series.attachPrimitive(this.zone);
    series.attachPrimitive(this.levels);
    this.loaded = /^\d{1,18}$/.test(this.id)
      ? fetchPattern(this.id).then((p) => this._found(p), (e) => this._fail(e.status === 404
        ? `Pattern ${this.id} was not found on your watchlists.` : `Pattern ${this.id} could not be loaded: ${e.message}`))
      : Promise.resolve(this._fail(`"${this.id}" is not a pattern id.`));
  }

  _found(pattern) {
    if (this.destroyed) return;
    this.pattern = pattern;
    this.state = "shown";
    this.render();
  }

  _fail(message) {
    if (this.destroyed) return;
    this.state = "error";
    this.message = message;
    this._showBadge();
  }

  // The chart's instrument: the zone is drawn only on the pattern's own symbol and venue.
  setInstrument(symbol, venue) {
    this.instrument = { symbol, venue };
    this.render();
  }

  setColors(colors) {
    this.colors = colors;
    this.render();
  }

  _onChart() {
    const p = this.pattern;
    const i = this.instrument;
    return Boolean(p) && (!i || !i.venue || (i.symbol === p.symbol && i.venue === p.venue));
  }

  // Where the zone ends: its resolution, else its time expiry (drawn ahead of the last bar
  // while it is still active), else the pane's right edge.
  _end() {
    const p = this.pattern;
    return p.status_time ?? p.expires_time ?? null;
  }

  render() {
    this._clearPriceLines();
    if (!this.pattern) return;
    if (!this._onChart()) {
      this.zone.setItems([]);
      this.levels.setItems([]);
      this.state = "elsewhere";
      this.message = `Pattern ${this.pattern.id} is on ${this.pattern.symbol} (${this.pattern.venue}), not on this chart.`;
      this._showBadge();
      return;
    }
    this.state = "shown";
    this.message = null;
    const p = this.pattern;
    const c = this.colors;
    const to = this._end();
    const top = Number(p.top);
    const bottom = Number(p.bottom);
    this.zone.setItems([{
      from: p.time, to, top, bottom, fill: c.patternFill, stroke: c.patternStroke,
      faded: false, minHeight: MIN_ZONE_PX, label: `${p.label} · ${p.interval}`,
    }]);
    const digits = digitsFor(Math.abs(top));
    this.levels.setItems(LEVELS.map(([key, title]) => ({
      key, from: p.time, to, p1: Number(p[key]), p2: Number(p[key]), color: c[key], width: 1.5,
      style: key === "entry" ? "solid" : "dashed", label: `${title} ${Number(p[key]).toFixed(digits)}`,
    })));
    this.priceLines = LEVELS.map(([key, title]) => this.series.createPriceLine({
      price: Number(p[key]), color: c[key], lineVisible: false, axisLabelVisible: true, title,
    }));
    this._showBadge();
  }

  _clearPriceLines() {
    for (const line of this.priceLines) this.series.removePriceLine(line);
    this.priceLines = [];
  }

  // Scroll and zoom the time scale to the zone (once, on the first load that has candles).
  focus() {
    if (this.focused || this.state !== "shown" || !this.timeIndex.times.length) return;
    const p = this.pattern;
    const times = this.timeIndex.times;
    const last = times[times.length - 1];
    const from = this.timeIndex.logicalOf(p.time);
    const to = this.timeIndex.logicalOf(Math.min(this._end() ?? last, last));
    const span = Math.max(to - from, MIN_SPAN_BARS);
    const pad = Math.max(10, span * 0.5);
    this.chart.timeScale().setVisibleLogicalRange({ from: from - pad, to: from + span + pad });
    this.focused = true;
  }

  _showBadge() {
    this.badge?.remove();
    this.badge = null;
    if (this.dismissed) return;
    const badge = el("div", "td-pattern-badge shadow-sm small");
    badge.setAttribute("role", "status");
    badge.dataset.pattern = this.id;
    const body = el("div", "td-pattern-badge-body");
    if (this.state === "shown") {
      const p = this.pattern;
      body.append(
        el("span", `badge ${p.direction === "bullish" ? "text-bg-success" : "text-bg-danger"}`, p.direction), " ",
        el("strong", "", p.label), ` · ${p.interval} · `,
        el("span", `badge rounded-pill ${STATUS_BADGE[p.status] ?? "text-bg-secondary"}`, p.status),
      );
      if (p.score !== null && p.score !== undefined) body.append(" · ", el("span", "", `score ${p.score}`));
    } else {
      badge.classList.add("td-pattern-badge-warning");
      body.append(el("i", "bi bi-exclamation-triangle me-1"), this.message);
    }
    const close = el("button", "btn-close ms-2");
    close.type = "button";
    close.setAttribute("aria-label", "Dismiss");
    close.addEventListener("click", () => this.dismiss());
    badge.append(body, close);
    this.parent.append(badge);
    this.badge = badge;
  }

  dismiss() {
    this.badge?.remove();
    this.badge = null;
    this.dismissed = true;
  }

  stats() {
    const box = this.zone.items[0] ?? null;
    const range = this.chart.timeScale().getVisibleLogicalRange();
    const start = box ? this.timeIndex.logicalOf(box.from) : null;
    return {
      id: this.id,
      state: this.state,
      message: this.message,
      kind: this.pattern?.kind ?? null,
      zone: box && { from: box.from, to: box.to, top: box.top, bottom: box.bottom },
      lines: Object.fromEntries(this.levels.items.map((s) => [s.key, s.p1])),
      priceLines: this.priceLines.map((l) => ({ title: l.options().title, price: l.options().price })),
      attached: this.zone.isAttached && this.levels.isAttached,
      focused: this.focused,
      inView: Boolean(range && start !== null && start >= range.from && start <= range.to),
      badge: this.badge !== null,
    };
  }

  destroy() {
    this.destroyed = true;
    this._clearPriceLines();
    this.series.detachPrimitive(this.zone);
    this.series.detachPrimitive(this.levels);
    this.badge?.remove();
    this.badge = null;
  }
}
