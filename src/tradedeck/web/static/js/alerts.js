// The navbar bell: unread count, latest notifications, and a live toast for each new one
// (Server-Sent Events from /api/v1/notifications/stream; polling when the stream is refused).
import { csrfHeaders } from "./app.js";

const bell = document.getElementById("bell");
const POLL_MS = 30000;
const OPEN_DELAY_MS = 1000;
const MAX_TOASTS = 3;
let lastId = 0;
let source = null;

function badge(unread) {
  const count = document.getElementById("bell-count");
  count.textContent = String(unread);
  count.classList.toggle("d-none", unread === 0);
  document.getElementById("bell-toggle").setAttribute("aria-label", `Notifications (${unread} unread)`);
}

function item(note) {
  const link = document.createElement(note.url ? "a" : "div");
  link.className = `list-group-item list-group-item-action${note.read ? "" : " fw-semibold"}`;
  if (note.url) link.href = note.url;
  link.dataset.notification = String(note.id);
  const title = document.createElement("div");
  title.textContent = note.title;
  const body = document.createElement("div");
  body.className = "text-body-secondary fw-normal text-truncate";
  body.textContent = note.body;
  link.append(title, body);
  return link;
}

function render(notes) {
  const list = document.getElementById("bell-list");
  list.replaceChildren(...notes.slice(0, 8).map(item));
  if (!notes.length) {
    const empty = document.createElement("div");
    empty.className = "px-3 py-3 text-body-secondary";
    empty.id = "bell-empty";
    empty.textContent = "No notifications yet.";
    list.append(empty);
  }
}

function prepend(note) {
  const list = document.getElementById("bell-list");
  document.getElementById("bell-empty")?.remove();
  list.prepend(item(note));
  while (list.children.length > 8) list.lastElementChild.remove();
}

function toastArea() {
  let area = document.getElementById("toast-area");
  if (!area) {
    area = document.createElement("div");
    area.id = "toast-area";
    area.className = "toast-container position-fixed bottom-0 end-0 p-3";
    document.body.append(area);
  }
  return area;
}

// A burst (the worker catching up) shows MAX_TOASTS toasts and one "n more" summary.
function summary(area) {
  let box = document.getElementById("toast-more");
  if (!box) {
    box = document.createElement("div");
    box.id = "toast-more";
    box.className = "toast";
    box.setAttribute("role", "status");
    const body = document.createElement("div");
    body.className = "toast-body d-flex justify-content-between align-items-center gap-2";
    const text = document.createElement("span");
    const close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.dataset.bsDismiss = "toast";
    close.setAttribute("aria-label", "Close");
    body.append(text, close);
    box.append(body);
    box.dataset.count = "0";
    area.append(box);
    box.addEventListener("hidden.bs.toast", () => box.remove());
  }
  box.dataset.count = String(Number(box.dataset.count) + 1);
  box.querySelector("span").textContent = `${box.dataset.count} more new notifications in the bell`;
  window.bootstrap.Toast.getOrCreateInstance(box, { delay: 8000 }).show();
}

function toast(note) {
  const area = toastArea();
  if (area.querySelectorAll(".toast:not(#toast-more)").length >= MAX_TOASTS) {
    summary(area);
    return;
  }
  const box = document.createElement("div");
  box.className = "toast";
  box.setAttribute("role", "status");
  box.setAttribute("aria-live", "polite");
  const header = document.createElement("div");
  header.className = "toast-header";
  const icon = document.createElement("i");
  icon.className = "bi bi-bell me-2";
  const strong = document.createElement("strong");
  strong.className = "me-auto";
  strong.textContent = note.title;
  const close = document.createElement("button");
  close.type = "button";
  close.className = "btn-close";
  close.dataset.bsDismiss = "toast";
  close.setAttribute("aria-label", "Close");
  header.append(icon, strong, close);
  const body = document.createElement("div");
  body.className = "toast-body";
  body.textContent = note.body;
  if (note.url) {
    const open = document.createElement("a");
    open.href = note.url;
    open.className = "d-block mt-1";
    open.textContent = "Open";
    body.append(open);
  }
  box.append(header, body);
  area.prepend(box);
  box.addEventListener("hidden.bs.toast", () => box.remove());
  window.bootstrap.Toast.getOrCreateInstance(box, { delay: 8000 }).show();
}

function received(note) {
  lastId = Math.max(lastId, note.id);
  prepend(note);
  badge(note.unread);
  toast(note);
}

async function load() {
  try {
    const response = await fetch(`${bell.dataset.listUrl}?limit=8`, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const body = await response.json();
    render(body.notifications);
    badge(body.unread);
    lastId = Math.max(lastId, ...body.notifications.map((n) => n.id), 0);
  } catch (error) {
    const empty = document.getElementById("bell-empty");
    if (empty) empty.textContent = "Notifications could not be loaded.";
  }
}

async function poll() {
  try {
    const response = await fetch(`${bell.dataset.listUrl}?after=${lastId}&limit=20`);
    if (response.ok) {
      const body = await response.json();
      for (const note of body.notifications.reverse()) received({ ...note, unread: body.unread });
    }
  } finally {
    window.setTimeout(poll, POLL_MS);
  }
}

function listen() {
  const url = lastId ? `${bell.dataset.streamUrl}?after=${lastId}` : bell.dataset.streamUrl;
  source = new EventSource(url);
  source.addEventListener("notification", (event) => received(JSON.parse(event.data)));
  source.addEventListener("end", () => {
    source.close();
    listen();
  });
  source.addEventListener("error", () => {
    // A refused stream (429) is closed for good by the browser: fall back to polling.
    if (source.readyState === EventSource.CLOSED) window.setTimeout(poll, POLL_MS);
  });
}

document.getElementById("bell-read-all")?.addEventListener("click", async () => {
  const response = await fetch(bell.dataset.readUrl, { method: "POST", headers: csrfHeaders() });
  if (response.ok) {
    badge((await response.json()).unread);
    for (const node of document.querySelectorAll("#bell-list .fw-semibold")) node.classList.remove("fw-semibold");
  }
});

window.addEventListener("pagehide", () => source?.close());

if (bell) {
  await load();
  // Opened a moment after load: pages left at once (redirects, quick clicks) hold no stream.
  window.setTimeout(listen, OPEN_DELAY_MS);
}
