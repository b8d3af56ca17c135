// Everything the analytics overlays put on the chart: one marker layer (swings, sweeps), box
// and segment primitives per study, and line series for SMA/EMA and the RSI pane. Keeps the
// counts of what it drew for the test hook.
import {
  LineSeries, LineStyle, createSeriesMarkers,
} from "../../vendor/lightweight-charts/lightweight-charts.standalone.production.mjs";
import { BoxesPrimitive } from "./primitives/boxes.js";
import { SegmentsPrimitive } from "./primitives/segments.js";
import {
  fvgBoxes, gapBoxes, lineData, liquidityLines, orderBlockBoxes, shortLabel, structureSegments,
  sweepMarkers, swingMarkers,
} from "./overlays.js";

const RSI_PANE = 1;
const RSI_HEIGHT = 120;

export class OverlayLayer {
  constructor(chart, series, timeIndex) {
    this.chart = chart;
    this.series = series;
    this.timeIndex = timeIndex;
    this.markerLayer = createSeriesMarkers(series, []);
    this.markers = { swings: [], liquidity: [] };
    this.boxes = {};
    for (const key of ["gaps", "fvg", "order_blocks"]) this.boxes[key] = this._attach(new BoxesPrimitive(timeIndex));
    this.segments = {};
    for (const key of ["structure", "liquidity"]) this.segments[key] = this._attach(new SegmentsPrimitive(timeIndex));
    this.lines = {};
    this.counts = {};
    this.legend = {};
  }

  _attach(primitive) {
    this.series.attachPrimitive(primitive);
    return primitive;
  }

  // Draw one study's answer for overlay `key`; `times` are the bars its values align with.
  draw(key, result, times, colors) {
    const events = result.events ?? [];
    const params = result.params ?? {};
    const onChart = (m) => this.timeIndex.has(m.time);
    switch (key) {
      case "swings":
        this.markers.swings = swingMarkers(events, colors).filter(onChart);
        this.counts.swings = { markers: this.markers.swings.length };
        break;
      case "structure":
        this.segments.structure.setItems(structureSegments(events, colors));
        this.counts.structure = { segments: events.length };
        break;
      case "gaps":
      case "fvg":
      case "order_blocks": {
        const make = { gaps: gapBoxes, fvg: fvgBoxes, order_blocks: orderBlockBoxes }[key];
        const boxes = make(events, colors);
        this.boxes[key].setItems(boxes);
        this.counts[key] = { boxes: boxes.length, faded: boxes.filter((b) => b.faded).length };
        break;
      }
      case "liquidity":
        this.segments.liquidity.setItems(liquidityLines(events, colors));
        this.markers.liquidity = sweepMarkers(events, colors).filter(onChart);
        this.counts.liquidity = { lines: events.length, markers: this.markers.liquidity.length };
        break;
      default:
        this._drawLine(key, lineData(result.values, times), colors);
    }
    this.legend[key] = { label: shortLabel(key, params), color: this.legendColor(key, colors) };
    if (key === "swings" || key === "liquidity") this._syncMarkers();
  }

  legendColor(key, c) {
    return {
      swings: c.swingHigh, structure: c.bullish, gaps: c.swingLow, fvg: c.bullish,
      order_blocks: c.bearish, liquidity: c.liquidity, rsi: c.rsi, sma: c.sma, ema: c.ema,
    }[key];
  }

  _drawLine(key, data, colors) {
    let line = this.lines[key];
    if (!line) {
      const pane = key === "rsi" ? RSI_PANE : 0;
      line = this.chart.addSeries(LineSeries, {
        color: colors[key], lineWidth: key === "rsi" ? 1.5 : 2, priceLineVisible: false,
        lastValueVisible: true, crosshairMarkerVisible: false,
        ...(key === "rsi" ? {
          priceFormat: { type: "price", precision: 1, minMove: 0.1 },
          autoscaleInfoProvider: () => ({ priceRange: { minValue: 0, maxValue: 100 } }),
        } : {}),
      }, pane);
      if (key === "rsi") {
        for (const level of [70, 30]) {
          line.createPriceLine({
            price: level, color: colors.guide, lineWidth: 1, lineStyle: LineStyle.Dashed,
            axisLabelVisible: true, title: "",
          });
        }
        this.chart.panes()[RSI_PANE]?.setHeight(RSI_HEIGHT);
      }
      this.lines[key] = line;
    }
    line.applyOptions({ color: colors[key] });
    line.setData(data);
    this.counts[key] = key === "rsi" ? { points: data.length, guides: 2 } : { points: data.length };
  }

  clear(key) {
    delete this.counts[key];
    delete this.legend[key];
    if (this.boxes[key]) this.boxes[key].setItems([]);
    if (this.segments[key]) this.segments[key].setItems([]);
    if (key in this.markers) {
      this.markers[key] = [];
      this._syncMarkers();
    }
    if (this.lines[key]) {
      this.chart.removeSeries(this.lines[key]);
      delete this.lines[key];
    }
  }

  // Take every primitive, marker and line series this layer added off the chart.
  destroy() {
    for (const primitive of [...Object.values(this.boxes), ...Object.values(this.segments)]) {
      this.series.detachPrimitive(primitive);
    }
    this.markerLayer.detach();
    for (const line of Object.values(this.lines)) this.chart.removeSeries(line);
    this.lines = {};
  }

  _syncMarkers() {
    const all = [...this.markers.swings, ...this.markers.liquidity];
    all.sort((a, b) => a.time - b.time);
    this.markerLayer.setMarkers(all);
  }
}
