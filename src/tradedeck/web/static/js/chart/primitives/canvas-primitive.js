// Base of TradeDeck's series primitives: one pane view whose renderer paints in bitmap space
// with helpers that map (time, price) to pixels through the chart's own scales.

export class CanvasPrimitive {
  constructor(timeIndex, zOrder = "bottom") {
    this.timeIndex = timeIndex;
    this.items = [];
    this.colors = {};
    this._chart = null;
    this._series = null;
    this._requestUpdate = null;
    const renderer = { draw: (target) => target.useBitmapCoordinateSpace((scope) => this._paint(scope)) };
    this._views = [{ zOrder: () => zOrder, renderer: () => renderer }];
  }

  attached({ chart, series, requestUpdate }) {
    this._chart = chart;
    this._series = series;
    this._requestUpdate = requestUpdate;
  }

  detached() {
    this._chart = null;
    this._series = null;
    this._requestUpdate = null;
  }

  // True while attached to a series (what a test can check after destroy()).
  get isAttached() {
    return this._series !== null;
  }

  paneViews() {
    return this._views;
  }

  updateAllViews() {}

  setItems(items) {
    this.items = items;
    this.update();
  }

  update() {
    this._requestUpdate?.();
  }

  // Media-space x of a time, or null when the chart has no data yet.
  x(time) {
    const logical = this.timeIndex.logicalOf(time);
    return logical === null ? null : this._chart.timeScale().logicalToCoordinate(logical);
  }

  y(price) {
    return this._series.priceToCoordinate(price);
  }

  _paint(scope) {
    if (!this._chart || !this._series || this.items.length === 0) return;
    this.paint(scope.context, scope.horizontalPixelRatio, scope.verticalPixelRatio, scope.mediaSize);
  }
}

export function drawLabel(ctx, text, x, y, color, ratio, align = "left") {
  ctx.font = `${Math.round(10 * ratio)}px system-ui, sans-serif`;
  ctx.fillStyle = color;
  ctx.textAlign = align;
  ctx.textBaseline = "bottom";
  ctx.fillText(text, x, y - 2 * ratio);
}
