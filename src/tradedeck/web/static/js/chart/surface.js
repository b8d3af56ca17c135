// What the full chart and the mini trend share: the element's body, drawing surface and state
// box, the loading/empty/error states, the ready signal and the page's chart registry.

// Lightweight Charts paints in its own animation frame callback, queued before ours.
const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));

export function buildSurface(element, height) {
  element.classList.add("td-chart");
  if (height) element.style.setProperty("--td-chart-height", `${height}px`);
  const body = document.createElement("div");
  body.className = "td-chart-body";
  const surface = document.createElement("div");
  surface.className = "td-chart-surface";
  const overlayBox = document.createElement("div");
  overlayBox.className = "td-chart-state";
  body.append(surface, overlayBox);
  element.append(body);
  return { body, surface, overlayBox };
}

export function showState(box, kind, title = "", text = "", actions = []) {
  box.replaceChildren();
  box.className = `td-chart-state${kind ? ` td-chart-state-${kind}` : ""}`;
  if (!kind) return;
  if (kind === "loading") {
    const spinner = document.createElement("div");
    spinner.className = "spinner-border text-secondary";
    spinner.setAttribute("role", "status");
    const label = document.createElement("span");
    label.className = "ms-2 text-body-secondary";
    label.textContent = "Loading candles…";
    box.append(spinner, label);
    return;
  }
  const message = document.createElement("div");
  message.className = "td-chart-message text-center";
  const h = document.createElement("p");
  h.className = "fw-semibold mb-1";
  h.textContent = title;
  const p = document.createElement("p");
  p.className = "small text-body-secondary mb-3";
  p.textContent = text;
  message.append(h, p, ...actions);
  box.append(message);
}

// Mark a chart drawn (after its paint frame) unless it was destroyed meanwhile.
export async function markReady(chart) {
  await nextFrame();
  if (chart.destroyed) return;
  chart.isReady = true;
  performance.mark(`tradedeck:chart:ready:${chart.id}`);
  chart.element.dataset.ready = "true";
  chart.element.dispatchEvent(new CustomEvent("tradedeck:chart-ready", { bubbles: true, detail: { id: chart.id } }));
}

// The page's registry (test hook: window.tradedeckCharts[id]); a destroyed chart leaves it.
export function register(chart) {
  window.tradedeckCharts = window.tradedeckCharts ?? {};
  window.tradedeckCharts[chart.id] = chart;
}

export function unregister(chart) {
  if (window.tradedeckCharts?.[chart.id] === chart) delete window.tradedeckCharts[chart.id];
}
