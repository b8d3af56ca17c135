// Public entry of the chart component: `mountChart(element, options)` for any page.
//
// options: { symbol (required), venue, interval ("15m"), start, end (epoch s, end exclusive),
//   overlays ({swings: {on: true, params: {length: 3}}, ...}), timezone ("local"|"utc"),
//   height (px; default fills the element), persist (remember state per user),
//   syncUrl (keep ?interval/startDate/endDate in the address bar), id (test-hook key),
//   features ({picker, drawings, overlays, live}: all true by default), limit (candles to load
//   when no start/end; 1000), mode ("mini": a compact area of closes without toolbar, legend,
//   axes, crosshair; features all off), pattern (a scanned pattern's id: its zone, levels
//   and badge are drawn and the time scale opens on it; stats().pattern reports it) }
// Returns the ChartComponent (MiniChart for mode "mini"); `await chart.ready` resolves once candles and overlays are drawn.
// Live charts dispatch `tradedeck:chart-tick` (detail: the SSE tick) on their element.
// Test hook: window.tradedeckCharts[id].stats().
// `chart.destroy()` stops its timers, live feed and listeners and leaves window.tradedeckCharts.
import { ChartComponent } from "./component.js";
import { MiniChart } from "./mini.js";
import { register } from "./surface.js";

export { installPicker } from "./picker.js";

export function mountChart(element, options) {
  if (!options?.symbol) throw new Error("mountChart: options.symbol is required");
  const chart = options.mode === "mini" ? new MiniChart(element, options) : new ChartComponent(element, options);
  register(chart);
  return chart;
}

// Mount every `[data-chart-config]` element of a page (JSON options in the attribute), so a
// template needs no script of its own: `<div data-chart-config='{"symbol": "ACME"}'></div>`.
// `"lazy": true` mounts the chart only when its element comes near the viewport (long lists
// of mini charts); the charts mounted at once are returned.
export function mountAll(root = document) {
  const charts = [];
  const pending = new Map();
  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      observer.unobserve(entry.target);
      pending.get(entry.target)();
      pending.delete(entry.target);
    }
  }, { rootMargin: "200px 0px" });
  for (const element of root.querySelectorAll("[data-chart-config]")) {
    const { lazy, ...options } = JSON.parse(element.dataset.chartConfig);
    const mount = () => mountChart(element, { id: element.id || undefined, ...options });
    if (!lazy) {
      charts.push(mount());
      continue;
    }
    pending.set(element, mount);
    observer.observe(element);
  }
  return charts;
}
