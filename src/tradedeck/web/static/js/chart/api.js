// JSON API calls of the chart; every failure becomes a ChartError with a message to show.
import { csrfHeaders } from "../app.js";
import { intervalSeconds } from "./time.js";

export class ChartError extends Error {
  constructor(message, { status = 0, code = "error", field = null } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }

  get providerDown() {
    return this.status === 0 || this.status === 502 || this.status === 503;
  }
}

async function request(url, options = {}) {
  let response;
  try {
    response = await fetch(url, { credentials: "same-origin", ...options });
  } catch {
    throw new ChartError("The TradeDeck server cannot be reached. Check your connection.");
  }
  if (response.status === 204) return null;
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const error = body?.error ?? {};
    throw new ChartError(error.message || `Request failed (HTTP ${response.status}).`, {
      status: response.status, code: error.code, field: error.field,
    });
  }
  return body;
}

function query(params) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") q.set(key, String(value));
  }
  return q.toString();
}

export const MAX_CANDLES = 10000;
export const DEFAULT_CANDLES = 1000;

// The candles request window of a chart's state: the last `limit` candles, or its period
// (start/end epoch s, end exclusive) capped at MAX_CANDLES.
export function candleWindow({ interval, start, end }, limit) {
  const seconds = intervalSeconds(interval);
  if (start === null && end === null) return { limit };
  const stop = end ?? Math.floor(Date.now() / 1000) + seconds;
  const from = start === null ? stop - DEFAULT_CANDLES * seconds : Math.max(start, stop - MAX_CANDLES * seconds);
  return { start: from, end: end ?? undefined, limit: Math.min(MAX_CANDLES, Math.ceil((stop - from) / seconds)) };
}

export function fetchCandles({ symbol, venue, interval, start, end, limit }) {
  return request(`/api/v1/candles?${query({ symbol, venue, interval, start, end, limit })}`);
}

export function fetchAnalytics({ symbol, venue, interval, start, end, studies }) {
  const params = { symbol, venue, interval, start, end, studies: Object.keys(studies).join(",") };
  for (const [study, values] of Object.entries(studies)) {
    for (const [name, value] of Object.entries(values)) params[`${study}.${name}`] = value;
  }
  return request(`/api/v1/analytics?${query(params)}`);
}

// One scanned pattern of the user's watchlists (404 when it is not theirs or does not exist).
export function fetchPattern(id) {
  return request(`/api/v1/patterns/${encodeURIComponent(id)}`);
}

export function fetchClock(venue) {
  return request(`/api/v1/market/clock?${query({ venue })}`);
}

function sendJSON(method, url, body) {
  return request(url, {
    method,
    headers: csrfHeaders({ "Content-Type": "application/json" }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export const drawingsApi = {
  list: (symbol, venue) => request(`/api/v1/charts/drawings?${query({ symbol, venue })}`),
  create: (drawing) => sendJSON("POST", "/api/v1/charts/drawings", drawing),
  move: (id, points) => sendJSON("PUT", `/api/v1/charts/drawings/${id}`, { points }),
  remove: (id) => sendJSON("DELETE", `/api/v1/charts/drawings/${id}`),
  clear: (symbol, venue) => sendJSON("DELETE", `/api/v1/charts/drawings?${query({ symbol, venue })}`),
};

export function savePreferences(prefs) {
  return sendJSON("PUT", "/api/v1/charts/preferences", prefs);
}
