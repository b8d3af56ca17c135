// The new-alert form shows only the fields the chosen kind needs.
const form = document.getElementById("alert-form");
const kind = form?.querySelector("select[name=kind]");

function sync() {
  for (const group of form.querySelectorAll("[data-for]")) {
    group.classList.toggle("d-none", !group.dataset.for.split(" ").includes(kind.value));
  }
}

if (kind) {
  kind.addEventListener("change", sync);
  sync();
}
