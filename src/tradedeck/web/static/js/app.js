// Site-wide behaviour: CSRF header on htmx/fetch writes, and the persisted theme toggle.
const csrfToken = document.querySelector('meta[name="csrf-token"]')?.content ?? "";

export function csrfHeaders(extra = {}) {
  return { "X-CSRFToken": csrfToken, ...extra };
}

document.body.addEventListener("htmx:configRequest", (event) => {
  event.detail.headers["X-CSRFToken"] = csrfToken;
});

const toggle = document.getElementById("theme-toggle");
toggle?.addEventListener("click", async () => {
  const root = document.documentElement;
  const next = root.dataset.bsTheme === "dark" ? "light" : "dark";
  root.dataset.bsTheme = next;
  document.dispatchEvent(new CustomEvent("tradedeck:theme", { detail: { theme: next } }));
  try {
    const response = await fetch(toggle.dataset.themeUrl, {
      method: "POST",
      headers: csrfHeaders({ "Content-Type": "application/json" }),
      body: JSON.stringify({ theme: next }),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const label = document.getElementById("profile-theme");
    if (label) label.textContent = next;
  } catch (error) {
    console.warn("theme preference not saved:", error);
  }
});
