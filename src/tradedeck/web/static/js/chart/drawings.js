// Drawing tools: trend lines (two clicks, or press-drag-release) and horizontal lines (one
// click), selectable, movable by their body or endpoints, deletable, saved per user and
// instrument through /api/v1/charts/drawings.
import { drawingsApi } from "./api.js";
import { SegmentsPrimitive } from "./primitives/segments.js";

const HIT_PX = 6;
const HANDLE_PX = 9;

function distanceToSegment(px, py, e) {
  const dx = e.x2 - e.x1;
  const dy = e.y2 - e.y1;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - e.x1) * dx + (py - e.y1) * dy) / len2));
  return Math.hypot(px - (e.x1 + t * dx), py - (e.y1 + t * dy));
}

export class DrawingTools {
  constructor({ chart, series, timeIndex, surface, instrument, colors, onChange, onError }) {
    this.chart = chart;
    this.series = series;
    this.timeIndex = timeIndex;
    this.surface = surface;
    this.instrument = instrument;
    this.colors = colors;
    this.onChange = onChange;
    this.onError = onError;
    this.drawings = [];
    this.mode = null;
    this.pending = null;
    this.selectedId = null;
    this.drag = null;
    this.primitive = new SegmentsPrimitive(timeIndex, "top");
    series.attachPrimitive(this.primitive);
    this._handlers = {
      down: (e) => this._down(e),
      move: (e) => this._move(e),
      up: (e) => this._up(e),
      key: (e) => this._key(e),
    };
    surface.addEventListener("pointerdown", this._handlers.down, true);
    surface.addEventListener("pointermove", this._handlers.move);
    window.addEventListener("pointerup", this._handlers.up);
    document.addEventListener("keydown", this._handlers.key);
  }

  destroy() {
    this.surface.removeEventListener("pointerdown", this._handlers.down, true);
    this.surface.removeEventListener("pointermove", this._handlers.move);
    window.removeEventListener("pointerup", this._handlers.up);
    document.removeEventListener("keydown", this._handlers.key);
    this.series.detachPrimitive(this.primitive);
  }

  async load() {
    const body = await drawingsApi.list(this.instrument.symbol, this.instrument.venue);
    this.drawings = body.drawings;
    this.render();
  }

  setColors(colors) {
    this.colors = colors;
    this.render();
  }

  setMode(mode) {
    this.mode = this.mode === mode ? null : mode;
    this.pending = null;
    this.surface.classList.toggle("td-drawing-mode", this.mode !== null);
    this.render();
  }

  select(id) {
    this.selectedId = id;
    this.render();
  }

  _segment(d, preview = false) {
    const [a, b] = d.points;
    const selected = d.id === this.selectedId;
    const color = selected || preview ? this.colors.selected : this.colors.drawing;
    if (d.kind === "hline") {
      return { from: null, to: null, p1: a.price, p2: a.price, color, width: 1.5, style: "solid",
        handles: selected, label: null };
    }
    return { from: a.time, to: b.time, p1: a.price, p2: b.price, color, width: 2, style: "solid",
      handles: selected || preview, label: null };
  }

  render() {
    const items = this.drawings.map((d) => this._segment(d));
    if (this.pending) items.push(this._segment(this.pending, true));
    this.primitive.setItems(items);
    this.onChange?.();
  }

  // Pointer position in the main pane as {x, y, time, price}; null over the scales or RSI pane.
  _point(event) {
    const rect = this.surface.getBoundingClientRect();
    const x = event.clientX - rect.left;
    const y = event.clientY - rect.top;
    const paneHeight = this.chart.panes()[0].getHeight();
    if (x < 0 || y < 0 || x > this.chart.timeScale().width() || y > paneHeight) return null;
    const logical = this.chart.timeScale().coordinateToLogical(x);
    const price = this.series.coordinateToPrice(y);
    if (logical === null || price === null) return null;
    return { x, y, logical, time: this.timeIndex.timeOf(logical), price };
  }

  _media() {
    return { width: this.chart.timeScale().width(), height: this.chart.panes()[0].getHeight() };
  }

  // The drawing under the pointer and which part: 0/1 an endpoint, "body" the line.
  _hit(p) {
    const media = this._media();
    for (const d of [...this.drawings].reverse()) {
      const e = this.primitive.endpoints(this._segment(d), media);
      if (!e) continue;
      if (d.kind === "trend") {
        if (Math.hypot(p.x - e.x1, p.y - e.y1) <= HANDLE_PX) return { drawing: d, part: 0 };
        if (Math.hypot(p.x - e.x2, p.y - e.y2) <= HANDLE_PX) return { drawing: d, part: 1 };
      }
      if (distanceToSegment(p.x, p.y, e) <= HIT_PX) return { drawing: d, part: "body" };
    }
    return null;
  }

  _claim(event) {
    event.preventDefault();
    event.stopPropagation();
  }

  _down(event) {
    if (event.button !== 0) return;
    const p = this._point(event);
    if (!p) return;
    const at = { time: p.time, price: p.price };
    if (this.mode === "hline") {
      this._claim(event);
      this._create({ kind: "hline", points: [at] });
      return;
    }
    if (this.mode === "trend") {
      this._claim(event);
      if (this.pending) {
        this._finishTrend(at);
      } else {
        this.pending = { id: null, kind: "trend", points: [at, at], start: p };
        this.render();
      }
      return;
    }
    const hit = this._hit(p);
    if (!hit) {
      if (this.selectedId !== null) this.select(null);
      return;
    }
    this._claim(event);
    this.select(hit.drawing.id);
    this.drag = {
      drawing: hit.drawing, part: hit.part, start: p, moved: false,
      original: hit.drawing.points.map((q) => ({ ...q })),
    };
  }

  _move(event) {
    const p = this._point(event);
    if (!p) return;
    if (this.pending) {
      this.pending.points[1] = { time: p.time, price: p.price };
      this.render();
      return;
    }
    if (this.drag) {
      this._dragTo(p);
      return;
    }
    if (this.mode === null) {
      this.surface.classList.toggle("td-drawing-hover", this._hit(p) !== null);
    }
  }

  _dragTo(p) {
    const { drawing, part, start, original } = this.drag;
    this.drag.moved = true;
    if (part === "body") {
      const dLogical = Math.round(p.logical - start.logical);
      const dPrice = p.price - start.price;
      drawing.points = original.map((q) => ({
        time: drawing.kind === "hline" ? q.time : this.timeIndex.timeOf(this.timeIndex.logicalOf(q.time) + dLogical),
        price: q.price + dPrice,
      }));
    } else {
      drawing.points[part] = { time: p.time, price: p.price };
    }
    this.render();
  }

  async _up(event) {
    if (this.pending) {
      const p = this._point(event);
      const start = this.pending.start;
      if (p && Math.hypot(p.x - start.x, p.y - start.y) > 5) this._finishTrend({ time: p.time, price: p.price });
      return;
    }
    if (!this.drag) return;
    const { drawing, moved, original } = this.drag;
    this.drag = null;
    if (!moved) return;
    try {
      await drawingsApi.move(drawing.id, drawing.points);
    } catch (error) {
      drawing.points = original;
      this.render();
      this.onError?.(error);
    }
  }

  _finishTrend(at) {
    const [a] = this.pending.points;
    this.pending = null;
    if (a.time === at.time && a.price === at.price) {
      this.render();
      return;
    }
    this._create({ kind: "trend", points: [a, at] });
  }

  async _create({ kind, points }) {
    this.mode = null;
    this.surface.classList.remove("td-drawing-mode");
    try {
      const saved = await drawingsApi.create({ ...this.instrument, kind, points });
      this.drawings.push(saved);
      this.selectedId = saved.id;
    } catch (error) {
      this.onError?.(error);
    }
    this.render();
  }

  _key(event) {
    if (event.target.closest?.("input, textarea, select")) return;
    if (event.key === "Escape") {
      this.pending = null;
      this.mode = null;
      this.surface.classList.remove("td-drawing-mode");
      this.select(null);
    } else if ((event.key === "Delete" || event.key === "Backspace") && this.selectedId !== null) {
      event.preventDefault();
      this.deleteSelected();
    }
  }

  async deleteSelected() {
    const id = this.selectedId;
    if (id === null) return;
    try {
      await drawingsApi.remove(id);
      this.drawings = this.drawings.filter((d) => d.id !== id);
      this.selectedId = null;
      this.render();
    } catch (error) {
      this.onError?.(error);
    }
  }

  async clearAll() {
    await drawingsApi.clear(this.instrument.symbol, this.instrument.venue);
    this.drawings = [];
    this.selectedId = null;
    this.render();
  }
}
