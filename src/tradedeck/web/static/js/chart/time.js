// Interval arithmetic and time formatting in UTC or the browser's zone (data stays UTC).

export const INTERVAL_SECONDS = {
  "1m": 60, "5m": 300, "15m": 900, "30m": 1800, "1h": 3600, "4h": 14400, "1d": 86400, "1w": 604800,
};

export function intervalSeconds(interval) {
  const seconds = INTERVAL_SECONDS[interval];
  if (!seconds) throw new Error(`unknown interval ${interval}`);
  return seconds;
}

function parts(epoch, zone) {
  const d = new Date(epoch * 1000);
  const utc = zone === "utc";
  return {
    y: utc ? d.getUTCFullYear() : d.getFullYear(),
    mo: utc ? d.getUTCMonth() : d.getMonth(),
    d: utc ? d.getUTCDate() : d.getDate(),
    h: utc ? d.getUTCHours() : d.getHours(),
    mi: utc ? d.getUTCMinutes() : d.getMinutes(),
  };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n) => String(n).padStart(2, "0");

export function formatTime(epoch, zone, withTime = true) {
  const p = parts(epoch, zone);
  const day = `${p.y}-${pad(p.mo + 1)}-${pad(p.d)}`;
  return withTime ? `${day} ${pad(p.h)}:${pad(p.mi)}` : day;
}

// Lightweight Charts' TickMarkType: 0 year, 1 month, 2 day of month, 3 time, 4 time with seconds.
export function tickMarkFormatter(zone) {
  return (time, type) => {
    const p = parts(time, zone);
    if (type === 0) return String(p.y);
    if (type === 1) return MONTHS[p.mo];
    if (type === 2) return `${p.d} ${MONTHS[p.mo]}`;
    return `${pad(p.h)}:${pad(p.mi)}`;
  };
}

export function crosshairFormatter(zone) {
  return (time) => `${formatTime(time, zone)}${zone === "utc" ? " UTC" : ""}`;
}
