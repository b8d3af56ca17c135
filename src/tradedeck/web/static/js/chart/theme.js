// Chart colours for the app's dark and light themes (Bootstrap's data-bs-theme on <html>).

export function currentTheme() {
  return document.documentElement.dataset.bsTheme === "light" ? "light" : "dark";
}

const PALETTES = {
  dark: {
    background: "#0f1419",
    text: "#aab4c0",
    grid: "rgba(120, 134, 150, 0.10)",
    border: "rgba(120, 134, 150, 0.28)",
    crosshair: "rgba(170, 180, 192, 0.55)",
    up: "#26a69a",
    down: "#ef5350",
    volumeUp: "rgba(38, 166, 154, 0.35)",
    volumeDown: "rgba(239, 83, 80, 0.35)",
    bullish: "#26a69a",
    bearish: "#ef5350",
    swingHigh: "#f0b90b",
    swingLow: "#4fc3f7",
    gapUp: "rgba(79, 195, 247, 0.16)",
    gapDown: "rgba(255, 167, 38, 0.16)",
    fvgBull: "rgba(38, 166, 154, 0.20)",
    fvgBear: "rgba(239, 83, 80, 0.20)",
    obBull: "rgba(46, 204, 113, 0.16)",
    obBear: "rgba(231, 76, 60, 0.16)",
    liquidity: "#ce93d8",
    rsi: "#b39ddb",
    guide: "rgba(170, 180, 192, 0.45)",
    sma: "#ffb74d",
    ema: "#64b5f6",
    drawing: "#e0e0e0",
    selected: "#ffd54f",
    label: "rgba(230, 236, 242, 0.85)",
    patternFill: "rgba(255, 213, 79, 0.16)",
    patternStroke: "#ffd54f",
    entry: "#64b5f6",
    stop: "#ef5350",
    target: "#26a69a",
  },
  light: {
    background: "#ffffff",
    text: "#3c4650",
    grid: "rgba(60, 70, 80, 0.08)",
    border: "rgba(60, 70, 80, 0.22)",
    crosshair: "rgba(60, 70, 80, 0.45)",
    up: "#089981",
    down: "#f23645",
    volumeUp: "rgba(8, 153, 129, 0.30)",
    volumeDown: "rgba(242, 54, 69, 0.30)",
    bullish: "#089981",
    bearish: "#f23645",
    swingHigh: "#c77c02",
    swingLow: "#0277bd",
    gapUp: "rgba(2, 119, 189, 0.12)",
    gapDown: "rgba(230, 126, 34, 0.14)",
    fvgBull: "rgba(8, 153, 129, 0.15)",
    fvgBear: "rgba(242, 54, 69, 0.15)",
    obBull: "rgba(39, 174, 96, 0.22)",
    obBear: "rgba(192, 57, 43, 0.20)",
    liquidity: "#8e24aa",
    rsi: "#5e35b1",
    guide: "rgba(60, 70, 80, 0.40)",
    sma: "#ef6c00",
    ema: "#1565c0",
    drawing: "#263238",
    selected: "#e65100",
    label: "rgba(30, 36, 42, 0.85)",
    patternFill: "rgba(230, 81, 0, 0.12)",
    patternStroke: "#e65100",
    entry: "#1565c0",
    stop: "#f23645",
    target: "#089981",
  },
};

export function palette(theme = currentTheme()) {
  return PALETTES[theme];
}

export function chartThemeOptions(theme = currentTheme()) {
  const p = palette(theme);
  return {
    layout: {
      background: { color: p.background },
      textColor: p.text,
      fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
      fontSize: 11,
      attributionLogo: false, // its <style> tag breaks our CSP; the credit is a link instead
      panes: { separatorColor: p.border, separatorHoverColor: p.crosshair },
    },
    grid: { vertLines: { color: p.grid }, horzLines: { color: p.grid } },
    rightPriceScale: { borderColor: p.border },
    timeScale: { borderColor: p.border },
    crosshair: {
      vertLine: { color: p.crosshair, labelBackgroundColor: p.border },
      horzLine: { color: p.crosshair, labelBackgroundColor: p.border },
    },
  };
}
