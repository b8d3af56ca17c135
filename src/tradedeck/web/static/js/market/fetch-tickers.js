// Fetch tickers: show the Yahoo symbol box only for Yahoo, and a busy state while the venue answers.
const form = document.getElementById("fetch-tickers-form");
const venue = document.getElementById("venue");
const yahooBox = document.getElementById("yahoo-symbols");

function syncYahoo() {
  yahooBox.classList.toggle("d-none", venue.value !== "yahoo");
}

if (form && venue && yahooBox) {
  venue.addEventListener("change", syncYahoo);
  syncYahoo();
  form.addEventListener("submit", () => {
    const button = document.getElementById("fetch-submit");
    button.disabled = true;
    button.querySelector(".spinner-border").classList.remove("d-none");
    button.querySelector(".bi").classList.add("d-none");
    button.querySelector(".label").textContent = "Fetching…";
    document.getElementById("fetch-progress").classList.remove("d-none");
  });
}
