// Patterns page: "Scan now" posts to /api/v1/scan and reloads with the new rows.
import { csrfHeaders } from "./app.js";

const button = document.getElementById("scan-now");
const status = document.getElementById("scan-status");

async function scan() {
  const spinner = button.querySelector(".spinner-border");
  button.disabled = true;
  spinner.classList.remove("d-none");
  status.textContent = "Scanning…";
  try {
    const response = await fetch(button.dataset.url, { method: "POST", headers: csrfHeaders() });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      status.textContent = body.error?.message ?? `Scan failed (HTTP ${response.status}).`;
      status.classList.add("text-danger");
      return;
    }
    status.classList.remove("text-danger");
    status.textContent = `${body.scanned} series scanned, ${body.new_patterns} new.`;
    if (body.new_patterns > 0) window.location.reload();
  } catch (error) {
    status.textContent = "Scan failed: the server did not answer.";
    status.classList.add("text-danger");
  } finally {
    spinner.classList.add("d-none");
    button.disabled = false;
  }
}

button?.addEventListener("click", scan);
