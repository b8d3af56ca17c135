// Chart colours that follow the page theme (Bootstrap's data-bs-theme on <html>).
export function chartTheme() {
  const styles = getComputedStyle(document.documentElement);
  const value = (name) => styles.getPropertyValue(name).trim();
  return {
    layout: {
      background: { color: "transparent" },
      textColor: value("--bs-body-color"),
      attributionLogo: false, // its <style> tag breaks our CSP; the pages link the credit instead
    },
    grid: {
      vertLines: { color: value("--bs-border-color-translucent") },
      horzLines: { color: value("--bs-border-color-translucent") },
    },
    rightPriceScale: { borderColor: value("--bs-border-color") },
    timeScale: { borderColor: value("--bs-border-color"), timeVisible: true },
  };
}

export function onThemeChange(chart) {
  document.addEventListener("tradedeck:theme", () => {
    // The new theme's CSS variables apply on the next frame.
    requestAnimationFrame(() => chart.applyOptions(chartTheme()));
  });
}
