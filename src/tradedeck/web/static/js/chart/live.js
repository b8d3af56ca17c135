// Live candles from /api/v1/stream (SSE) while the venue is open. EventSource reconnects by
// itself after the server's periodic `end`; after a hard failure we reconnect with backoff.
// Every (re)connection calls onConnect so the chart can backfill what it missed.
import { fetchClock } from "./api.js";

const MAX_BACKOFF_MS = 30000;
const MAX_CLOSED_WAIT_MS = 15 * 60 * 1000;

export class LiveFeed {
  constructor({ symbol, venue, interval, onCandle, onTick, onStatus, onConnect }) {
    Object.assign(this, { symbol, venue, interval, onCandle, onTick, onStatus, onConnect });
    this.source = null;
    this.timer = null;
    this.backoff = 1000;
    this.stopped = false;
  }

  async start() {
    this.stopped = false;
    let clock;
    try {
      clock = await fetchClock(this.venue);
    } catch {
      clock = { is_open: true };
    }
    if (this.stopped) return;
    if (!clock.is_open) {
      this.onStatus("closed", clock.next_open);
      const wait = clock.next_open ? Date.parse(clock.next_open) - Date.now() : MAX_CLOSED_WAIT_MS;
      this._later(() => this.start(), Math.min(Math.max(wait, 5000), MAX_CLOSED_WAIT_MS));
      return;
    }
    this._open();
  }

  _open() {
    const q = new URLSearchParams({ symbols: this.symbol, venue: this.venue, interval: this.interval });
    const source = new EventSource(`/api/v1/stream?${q}`);
    this.source = source;
    this.onStatus("connecting");
    source.addEventListener("open", () => {
      this.backoff = 1000;
      this.onStatus("live");
      this.onConnect();
    });
    source.addEventListener("candle", (e) => this.onCandle(JSON.parse(e.data)));
    source.addEventListener("tick", (e) => this.onTick(JSON.parse(e.data)));
    source.addEventListener("error", () => {
      if (this.stopped) return;
      if (source.readyState === EventSource.CLOSED) {
        this.onStatus("reconnecting");
        source.close();
        this._later(() => this.start(), this.backoff);
        this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
      } else {
        this.onStatus("reconnecting");
      }
    });
  }

  _later(fn, ms) {
    clearTimeout(this.timer);
    this.timer = setTimeout(fn, ms);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.source?.close();
    this.source = null;
  }
}
