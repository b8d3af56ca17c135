// The chart's toolbar: instrument button, intervals, drawing tools, Clear, time zone, and one
// toggle per overlay with a dropdown of its parameters. Emits semantic callbacks only.
import { OVERLAYS } from "./overlays.js";

const INTERVALS = ["1m", "5m", "15m", "1h", "4h", "1d"];

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else if (key === "className") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

const icon = (name) => el("i", { className: `bi bi-${name}`, "aria-hidden": "true" });
const button = (attrs, children) => el("button", { type: "button", className: "btn btn-sm btn-outline-secondary", ...attrs }, children);

function paramInput(overlayKey, p, value) {
  const id = `${overlayKey}-${p.name}-${Math.random().toString(36).slice(2, 7)}`;
  if (p.type === "bool") {
    const input = el("input", { className: "form-check-input", type: "checkbox", id, name: p.name });
    input.checked = Boolean(value);
    return el("div", { className: "form-check mb-2" }, [input, el("label", { className: "form-check-label small", for: id, text: p.label })]);
  }
  let input;
  if (p.type === "choice") {
    input = el("select", { className: "form-select form-select-sm", id, name: p.name },
      p.choices.map((c) => el("option", { value: c, text: c })));
    input.value = value;
  } else {
    input = el("input", {
      className: "form-control form-control-sm", id, name: p.name, type: "number", required: "",
      step: p.type === "int" ? "1" : "any", ...(p.min !== undefined ? { min: p.min } : {}),
      ...(p.max !== undefined ? { max: p.max } : {}),
    });
    input.value = value;
  }
  return el("div", { className: "mb-2" }, [el("label", { className: "form-label small mb-1", for: id, text: p.label }), input]);
}

function readParams(form, def) {
  const out = {};
  for (const p of def.params) {
    const input = form.querySelector(`[name="${p.name}"]`); // not form.elements: "length" clashes
    if (p.type === "bool") out[p.name] = input.checked;
    else if (p.type === "choice") out[p.name] = input.value;
    else out[p.name] = p.type === "int" ? parseInt(input.value, 10) : parseFloat(input.value);
  }
  return out;
}

export function buildToolbar(root, state, features, on) {
  const symbol = el("span", { className: "fw-semibold", "data-ref": "symbol" });
  const venue = el("span", { className: "badge text-bg-secondary ms-1", "data-ref": "venue" });
  const pick = button({ className: "btn btn-sm btn-outline-primary td-symbol", "data-action": "pick", title: "Change symbol, period and interval" },
    [icon("search"), " ", symbol, venue]);
  const intervals = el("div", { className: "btn-group btn-group-sm", role: "group", "aria-label": "Interval" },
    INTERVALS.map((iv) => button({ "data-interval": iv, text: iv })));
  const tools = el("div", { className: "btn-group btn-group-sm", role: "group", "aria-label": "Drawing tools" }, [
    button({ "data-action": "trend", title: "Trend line: click two points" }, [icon("slash-lg"), el("span", { className: "d-none d-xl-inline ms-1", text: "Trend" })]),
    button({ "data-action": "hline", title: "Horizontal line: click a price" }, [icon("dash-lg"), el("span", { className: "d-none d-xl-inline ms-1", text: "H-line" })]),
    button({ "data-action": "delete", title: "Delete the selected drawing (Del)", disabled: "" }, [icon("trash3")]),
  ]);
  const clear = button({ "data-action": "clear", title: "Remove overlays and drawings" }, [icon("eraser"), el("span", { className: "ms-1", text: "Clear" })]);
  const status = el("span", { className: "td-status small", "data-ref": "status" });
  let live = { kind: "muted", text: "" };
  let note = { kind: "muted", text: "" };
  let noteTimer = 0;
  const renderStatus = () => {
    const shown = note.text ? note : live;
    status.className = `td-status small td-status-${shown.kind}`;
    status.textContent = shown.text;
  };
  const tz = button({ "data-action": "timezone", title: "Show times in UTC or your local zone" });
  const fit = button({ "data-action": "fit", title: "Show the latest candles" }, [icon("arrow-right-square")]);
  const row1 = el("div", { className: "td-toolbar-row" }, [
    ...(features.picker ? [pick] : []), intervals,
    ...(features.drawings ? [el("div", { className: "vr" }), tools, clear] : []),
    el("div", { className: "ms-auto d-flex gap-2 align-items-center" }, [status, tz, fit]),
  ]);
  const overlayRow = el("div", { className: "td-toolbar-row td-overlays", role: "group", "aria-label": "Overlays" });
  for (const def of OVERLAYS) {
    const toggle = button({ className: "btn btn-sm btn-outline-secondary td-overlay-toggle", "data-overlay": def.key, title: def.title, "aria-pressed": "false" },
      [el("span", { className: "td-swatch", "data-swatch": def.key }), el("span", { "data-ref": "label", text: def.label })]);
    const group = el("div", { className: "btn-group btn-group-sm", "data-overlay-group": def.key }, [toggle]);
    if (def.params.length) {
      const form = el("form", { className: "dropdown-menu p-3 td-params", "data-params": def.key, novalidate: "" });
      group.append(
        button({ className: "btn btn-sm btn-outline-secondary dropdown-toggle dropdown-toggle-split", "data-bs-toggle": "dropdown", "data-bs-auto-close": "outside", "aria-expanded": "false", "aria-label": `${def.label} parameters` }),
        form,
      );
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        if (!form.checkValidity()) {
          form.classList.add("was-validated");
          return;
        }
        on.params(def.key, readParams(form, def));
        window.bootstrap?.Dropdown.getOrCreateInstance(group.querySelector("[data-bs-toggle]")).hide();
      });
    }
    overlayRow.append(group);
  }
  const toolbar = el("div", { className: "td-toolbar" }, [row1, ...(features.overlays ? [overlayRow] : [])]);
  root.prepend(toolbar);

  toolbar.addEventListener("click", (event) => {
    const target = event.target.closest("button");
    if (!target || !toolbar.contains(target)) return;
    if (target.dataset.interval) on.interval(target.dataset.interval);
    else if (target.dataset.overlay) on.toggle(target.dataset.overlay);
    else if (target.dataset.action) on.action(target.dataset.action);
  });

  return {
    element: toolbar,
    sync(s, extra = {}) {
      symbol.textContent = s.symbol ?? "—";
      venue.textContent = s.venue ?? "";
      for (const b of intervals.querySelectorAll("[data-interval]")) {
        b.classList.toggle("active", b.dataset.interval === s.interval);
        b.setAttribute("aria-pressed", String(b.dataset.interval === s.interval));
      }
      tz.textContent = s.timezone === "utc" ? "UTC" : "Local";
      for (const def of OVERLAYS) {
        const o = s.overlays[def.key];
        const t = overlayRow.querySelector(`[data-overlay="${def.key}"]`);
        t.classList.toggle("active", o.on);
        t.setAttribute("aria-pressed", String(o.on));
        t.querySelector("[data-ref=label]").textContent = ["sma", "ema", "rsi"].includes(def.key) ? `${def.label} ${o.params.length}` : def.label;
        const form = overlayRow.querySelector(`[data-params="${def.key}"]`);
        if (form) {
          form.replaceChildren(...def.params.map((p) => paramInput(def.key, p, o.params[p.name])),
            el("button", { type: "submit", className: "btn btn-primary btn-sm w-100", text: "Apply" }));
        }
      }
      for (const [key, color] of Object.entries(extra.swatches ?? {})) {
        const sw = overlayRow.querySelector(`[data-swatch="${key}"]`);
        if (sw) sw.style.background = color;
      }
      const del = toolbar.querySelector("[data-action=delete]");
      if (del) del.disabled = !extra.selected;
      for (const mode of ["trend", "hline"]) {
        const b = toolbar.querySelector(`[data-action=${mode}]`);
        b?.classList.toggle("active", extra.mode === mode);
      }
    },
    // One slot, two sources: the live feed's state stays until it changes, and a passing note
    // (loading, computing, an error) shows over it while set, then gives the slot back.
    setStatus(kind, text, ttlMs = 0) {
      note = { kind, text };
      clearTimeout(noteTimer);
      if (text && ttlMs) noteTimer = setTimeout(() => { note = { kind: "muted", text: "" }; renderStatus(); }, ttlMs);
      renderStatus();
    },
    setLive(kind, text) {
      live = { kind, text };
      renderStatus();
    },
    destroy() {
      clearTimeout(noteTimer);
    },
  };
}
