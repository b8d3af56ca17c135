// The analytics overlays of the toolbar: their parameters and how each study's result
// (GET /api/v1/analytics, shapes of ANALYTICS.md) becomes markers, boxes, segments or lines.

export const OVERLAYS = [
  { key: "swings", label: "Swings", title: "Swing highs and lows",
    params: [{ name: "length", label: "Pivot window", type: "int", value: 2, min: 1, max: 50 }] },
  { key: "structure", label: "BOS/CHoCH", title: "Break of structure and change of character",
    params: [
      { name: "length", label: "Pivot window", type: "int", value: 2, min: 1, max: 50 },
      { name: "break_on", label: "Break on", type: "choice", value: "close", choices: ["close", "wick"] },
    ] },
  { key: "gaps", label: "Gaps", title: "Price gaps to their fill", params: [] },
  { key: "fvg", label: "FVG", title: "Fair value gaps to their fill",
    params: [
      { name: "min_size", label: "Min size", type: "float", value: 0, min: 0 },
      { name: "join_consecutive", label: "Join consecutive", type: "bool", value: false },
    ] },
  { key: "order_blocks", label: "Order blocks", title: "Order blocks (mitigated ones faded)",
    params: [
      { name: "length", label: "Pivot window", type: "int", value: 2, min: 1, max: 50 },
      { name: "break_on", label: "Break on", type: "choice", value: "close", choices: ["close", "wick"] },
    ] },
  { key: "liquidity", label: "Liquidity", title: "Equal highs/lows and their sweeps",
    params: [
      { name: "length", label: "Pivot window", type: "int", value: 2, min: 1, max: 50 },
      { name: "atr_length", label: "ATR length", type: "int", value: 14, min: 1, max: 500 },
      { name: "tolerance", label: "Tolerance × ATR", type: "float", value: 0.1, min: 0 },
    ] },
  { key: "rsi", label: "RSI", title: "Relative strength index (own pane, 30/70 guides)",
    params: [{ name: "length", label: "Length", type: "int", value: 14, min: 2, max: 500 }] },
  { key: "sma", label: "SMA", title: "Simple moving average",
    params: [{ name: "length", label: "Length", type: "int", value: 20, min: 2, max: 1000 }] },
  { key: "ema", label: "EMA", title: "Exponential moving average",
    params: [{ name: "length", label: "Length", type: "int", value: 50, min: 2, max: 1000 }] },
];

export const OVERLAY_KEYS = OVERLAYS.map((o) => o.key);

export function overlayDef(key) {
  return OVERLAYS.find((o) => o.key === key);
}

// Parameters of an overlay: defaults overridden by what the user chose.
export function paramsOf(key, chosen = {}) {
  const out = {};
  for (const p of overlayDef(key).params) out[p.name] = chosen[p.name] ?? p.value;
  return out;
}

// Short legend/tool label: "SMA 20", "Swings (2)".
export function shortLabel(key, params) {
  const def = overlayDef(key);
  if (["sma", "ema", "rsi"].includes(key)) return `${def.label} ${params.length}`;
  return params.length ? `${def.label} (${params.length})` : def.label;
}

export function swingMarkers(events, c) {
  return events.map((e) => (e.type === "high"
    ? { time: e.time, position: "aboveBar", shape: "arrowDown", color: c.swingHigh, size: 0.6 }
    : { time: e.time, position: "belowBar", shape: "arrowUp", color: c.swingLow, size: 0.6 }));
}

export function structureSegments(events, c) {
  return events.map((e) => ({
    from: e.swing_time, to: e.time, p1: e.level, p2: e.level,
    color: e.direction === "bullish" ? c.bullish : c.bearish,
    width: e.kind === "CHoCH" ? 2 : 1.5,
    style: e.kind === "CHoCH" ? "dashed" : "solid",
    label: e.kind,
  }));
}

export function gapBoxes(events, c) {
  return events.map((e) => ({
    from: e.time, to: e.filled_time, top: e.top, bottom: e.bottom,
    fill: e.direction === "up" ? c.gapUp : c.gapDown, stroke: null, label: null,
  }));
}

export function fvgBoxes(events, c) {
  return events.map((e) => ({
    from: e.time, to: e.filled_time, top: e.top, bottom: e.bottom,
    fill: e.direction === "bullish" ? c.fvgBull : c.fvgBear, stroke: null,
    faded: e.mitigated_time !== null, label: "FVG",
  }));
}

export function orderBlockBoxes(events, c) {
  return events.map((e) => {
    const bullish = e.direction === "bullish";
    return {
      from: e.time, to: e.invalidated_time, top: e.top, bottom: e.bottom,
      fill: bullish ? c.obBull : c.obBear, stroke: bullish ? c.bullish : c.bearish,
      faded: e.mitigated_time !== null, label: e.mitigated_time !== null ? "Breaker" : `${e.kind} OB`,
    };
  });
}

export function liquidityLines(events, c) {
  return events.map((e) => ({
    from: e.time, to: e.swept_time, p1: e.level, p2: e.level, color: c.liquidity,
    width: 1.5, style: "dotted", label: e.type === "equal_highs" ? "EQH" : "EQL",
  }));
}

export function sweepMarkers(events, c) {
  return events.filter((e) => e.swept_time !== null).map((e) => ({
    time: e.swept_time,
    position: e.type === "equal_highs" ? "aboveBar" : "belowBar",
    shape: "circle", color: c.liquidity, size: 0.7,
    text: e.sweep === "rejection" ? "sweep" : "break",
  }));
}

// Indicator values aligned with the candle times they were computed on; nulls dropped.
export function lineData(values, times) {
  const out = [];
  for (let i = 0; i < values.length; i += 1) {
    if (values[i] !== null) out.push({ time: times[i], value: values[i] });
  }
  return out;
}
