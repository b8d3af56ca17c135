// /manage and /tradingview: destructive buttons (remove, turn off, unlink, forget) ask before submitting.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  const question = button?.dataset.confirm;
  if (question && !window.confirm(question)) event.preventDefault();
});
