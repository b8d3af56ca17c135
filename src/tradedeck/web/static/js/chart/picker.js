// The symbol picker, a modal: `/tickDataForm` is loaded by htmx into one
// shared Bootstrap modal. Opened from the chart's symbol button or by double-clicking any row
// with `data-symbol` (the saved-tickers page). Behaviour of the fragment is delegated here,
// because the fragment itself may carry no script (CSP).

const MODAL_ID = "tick-data-modal";
const SEARCH_DELAY_MS = 200;
const PRESET_DAYS = { "1D": 1, "1W": 7, "1M": 30, "3M": 91, "1Y": 365 };

function ensureModal() {
  let modal = document.getElementById(MODAL_ID);
  if (modal) return modal;
  modal = document.createElement("div");
  modal.id = MODAL_ID;
  modal.className = "modal fade";
  modal.tabIndex = -1;
  modal.setAttribute("aria-labelledby", "tick-data-title");
  modal.setAttribute("aria-hidden", "true");
  const dialog = document.createElement("div");
  dialog.className = "modal-dialog modal-dialog-centered";
  const content = document.createElement("div");
  content.className = "modal-content";
  content.id = `${MODAL_ID}-content`;
  dialog.append(content);
  modal.append(dialog);
  document.body.append(modal);
  return modal;
}

export async function openTickDataForm(params = {}) {
  const modal = ensureModal();
  const query = new URLSearchParams(Object.entries(params).filter(([, v]) => v));
  await window.htmx.ajax("GET", `/tickDataForm?${query}`, { target: `#${MODAL_ID}-content`, swap: "innerHTML" });
  window.bootstrap.Modal.getOrCreateInstance(modal).show();
}

const iso = (d) => d.toISOString().slice(0, 10);

// Start of the current day/week/month/quarter/year holding `today` (UTC, weeks from Monday).
function periodStart(preset, today) {
  const d = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
  if (preset === "1W") d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  if (preset === "1M") d.setUTCDate(1);
  if (preset === "3M") d.setUTCMonth(d.getUTCMonth() - (d.getUTCMonth() % 3), 1);
  if (preset === "1Y") d.setUTCMonth(0, 1);
  return d;
}

export function presetDates(preset, current, today = new Date()) {
  const end = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
  if (current) return { startDate: iso(periodStart(preset, today)), endDate: iso(end) };
  const start = new Date(end);
  start.setUTCDate(start.getUTCDate() - PRESET_DAYS[preset]);
  return { startDate: iso(start), endDate: iso(end) };
}

function applyPreset(form) {
  const preset = form.querySelector("[name=preset]:checked")?.value;
  const custom = preset === "custom";
  for (const name of ["startDate", "endDate"]) form.elements[name].readOnly = !custom;
  const current = form.elements.current;
  current.disabled = custom;
  if (custom || !preset) return;
  const dates = presetDates(preset, current.checked);
  form.elements.startDate.value = dates.startDate;
  form.elements.endDate.value = dates.endDate;
}

function renderResults(form, instruments) {
  const list = form.querySelector("[data-ref=results]");
  list.replaceChildren(...instruments.map((i) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "list-group-item list-group-item-action d-flex justify-content-between align-items-center py-1";
    b.dataset.pickSymbol = i.symbol;
    b.dataset.pickVenue = i.venue;
    const name = document.createElement("span");
    const strong = document.createElement("strong");
    strong.textContent = i.symbol;
    const small = document.createElement("small");
    small.className = "text-body-secondary ms-2";
    small.textContent = i.name;
    name.append(strong, small);
    const badge = document.createElement("span");
    badge.className = "badge text-bg-secondary";
    badge.textContent = i.venue;
    b.append(name, badge);
    return b;
  }));
  if (!instruments.length) {
    const empty = document.createElement("div");
    empty.className = "list-group-item small text-body-secondary";
    empty.textContent = "No matching instruments.";
    list.append(empty);
  }
}

let searchTimer = null;
async function search(form) {
  const q = new URLSearchParams({ q: form.elements.symbol.value.trim(), limit: "8" });
  if (form.elements.venue.value) q.set("venue", form.elements.venue.value);
  try {
    const response = await fetch(`/api/v1/instruments?${q}`, { credentials: "same-origin" });
    const body = await response.json();
    if (!response.ok) throw new Error(body?.error?.message ?? `HTTP ${response.status}`);
    renderResults(form, body.instruments);
  } catch (error) {
    form.querySelector("[data-ref=results]").textContent = `Search failed: ${error.message}`;
  }
}

function onInput(event) {
  const form = event.target.closest("form[data-tick-form]");
  if (!form || event.target.name !== "symbol") return;
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => search(form), SEARCH_DELAY_MS);
}

function onChange(event) {
  const form = event.target.closest("form[data-tick-form]");
  if (!form) return;
  if (event.target.name === "preset" || event.target.name === "current") applyPreset(form);
  if (event.target.name === "venue") search(form);
}

function onClick(event) {
  const pick = event.target.closest("[data-pick-symbol]");
  if (!pick) return;
  const form = pick.closest("form[data-tick-form]");
  form.elements.symbol.value = pick.dataset.pickSymbol;
  form.elements.venue.value = pick.dataset.pickVenue;
  form.querySelector("[data-ref=results]").replaceChildren();
}

function onDblclick(event) {
  const row = event.target.closest("[data-symbol]");
  if (!row || row.closest(".td-chart")) return;
  openTickDataForm({ symbol: row.dataset.symbol, venue: row.dataset.venue });
}

// A freshly loaded form fills its dates from the checked preset, so submitting at once works.
function onAfterSwap(event) {
  const form = event.detail.target.querySelector?.("form[data-tick-form]");
  if (form) applyPreset(form);
}

const LISTENERS = { input: onInput, change: onChange, click: onClick, dblclick: onDblclick, "htmx:afterSwap": onAfterSwap };
let installed = false;

// The picker's document listeners, installed by whoever mounts a picker (the chart, the saved
// tickers page) rather than on import; calling it again does nothing.
export function installPicker() {
  if (installed) return;
  installed = true;
  for (const [type, handler] of Object.entries(LISTENERS)) document.addEventListener(type, handler);
}

