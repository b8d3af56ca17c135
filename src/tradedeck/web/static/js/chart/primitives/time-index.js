// Epoch time <-> logical bar index of the loaded candles. Primitives place shapes through
// logical indexes, so times between bars, left of the data or right of the last bar
// (drawings, boxes open to the right) still get exact coordinates.

export class TimeIndex {
  constructor(intervalSeconds) {
    this.step = intervalSeconds;
    this.times = [];
  }

  setTimes(times) {
    this.times = times;
  }

  logicalOf(time) {
    const t = this.times;
    const n = t.length;
    if (n === 0) return null;
    if (time <= t[0]) return (time - t[0]) / this.step;
    if (time >= t[n - 1]) return n - 1 + (time - t[n - 1]) / this.step;
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (t[mid] <= time) lo = mid; else hi = mid;
    }
    return lo + (time - t[lo]) / (t[hi] - t[lo]);
  }

  // True when a candle opens exactly at `time` (markers can only sit on candles).
  has(time) {
    const t = this.times;
    let lo = 0;
    let hi = t.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (t[mid] === time) return true;
      if (t[mid] < time) lo = mid + 1; else hi = mid - 1;
    }
    return false;
  }

  timeOf(logical) {
    const t = this.times;
    const n = t.length;
    if (n === 0) return null;
    const i = Math.round(logical);
    if (i < 0) return t[0] + i * this.step;
    if (i > n - 1) return t[n - 1] + (i - n + 1) * this.step;
    return t[i];
  }
}
