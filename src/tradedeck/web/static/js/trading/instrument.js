// Instrument page: the order ticket (buy/sell tabs, price fields) and the price chip, which
// follows the live ticks of the chart (the shared component, mounted by js/chart/page.js).
// No imports: the ticket works as soon as the page is parsed, before the chart has loaded.

function followTicks(chartElement) {
  const price = document.getElementById("last-price");
  const change = document.getElementById("price-change");
  const chip = document.getElementById("price-chip");
  chartElement.addEventListener("tradedeck:chart-tick", ({ detail }) => {
    const last = Number(detail.price);
    const digits = Math.max(2, (detail.price.split(".")[1] ?? "").replace(/0+$/, "").length);
    const fmt = (v) => v.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
    price.textContent = fmt(last);
    if (detail.previous_close === null) return;
    const previous = Number(detail.previous_close);
    const delta = last - previous;
    const sign = delta > 0 ? "+" : "";
    change.textContent = `${sign}${fmt(delta)} (${sign}${((delta / previous) * 100).toFixed(2)}%)`;
    change.className = `small ${delta > 0 ? "text-up" : delta < 0 ? "text-down" : ""}`;
    chip.classList.toggle("up", delta > 0);
    chip.classList.toggle("down", delta < 0);
  });
}

function setupTicket() {
  const form = document.getElementById("order-form");
  if (!form) return;
  const sideInput = document.getElementById("order-side");
  const submit = document.getElementById("order-submit");
  const typeSelect = document.getElementById("order-type");
  const { symbol } = form.dataset;

  const showPriceFields = () => {
    const type = typeSelect.value;
    for (const field of form.querySelectorAll(".price-field")) {
      const used = field.dataset.for === "limit"
        ? type === "limit" || type === "stop_limit"
        : type === "stop" || type === "stop_limit";
      field.classList.toggle("d-none", !used);
    }
  };
  const selectSide = (side) => {
    sideInput.value = side;
    for (const tab of document.querySelectorAll(".side-tab")) {
      const active = tab.dataset.side === side;
      tab.classList.toggle("active", active);
      tab.setAttribute("aria-selected", String(active));
    }
    submit.classList.toggle("btn-success", side === "buy");
    submit.classList.toggle("btn-danger", side === "sell");
    submit.textContent = `${side === "buy" ? "Buy" : "Sell"} ${symbol}`;
    htmx.trigger(form, "side-changed");
  };
  for (const tab of document.querySelectorAll(".side-tab")) {
    tab.addEventListener("click", () => selectSide(tab.dataset.side));
  }
  typeSelect.addEventListener("change", showPriceFields);
  showPriceFields();
}

setupTicket();
followTicks(document.getElementById("price-chart"));
