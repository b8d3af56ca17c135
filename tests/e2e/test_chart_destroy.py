"""Mounting and destroying charts (full and mini) in Chromium leaves nothing running: no
requests, timers or document listeners of theirs, no registry entry, no primitives."""

from __future__ import annotations

import time

from flask import Flask
from playwright.sync_api import Page

from tests.charts.factories import seed_instrument
from tests.e2e.helpers import screenshot
from tests.e2e.test_chart import login

# Records API calls (fetch, EventSource) and counts document/window listeners of the types
# the chart uses, before any page script runs.
COUNT_LISTENERS = """
window.__listeners = {};
const add = EventTarget.prototype.addEventListener;
const remove = EventTarget.prototype.removeEventListener;
const key = (target, type) => (target === document || target === window ? type : null);
EventTarget.prototype.addEventListener = function (type, fn, opts) {
  const k = key(this, type);
  if (k) window.__listeners[k] = (window.__listeners[k] ?? 0) + 1;
  return add.call(this, type, fn, opts);
};
window.__calls = [];
const fetch0 = window.fetch;
window.fetch = function (url, ...rest) {
  window.__calls.push(String(url));
  return fetch0.call(this, url, ...rest);
};
const Source = window.EventSource;
window.EventSource = class extends Source {
  constructor(url, ...rest) {
    window.__calls.push(String(url));
    super(url, ...rest);
  }
};
EventTarget.prototype.removeEventListener = function (type, fn, opts) {
  const k = key(this, type);
  if (k) window.__listeners[k] = (window.__listeners[k] ?? 0) - 1;
  return remove.call(this, type, fn, opts);
};
"""

MOUNT = """async ({ mode, wait }) => {
  const { mountChart } = await import('/static/js/chart/index.js');
  const before = { ...window.__listeners };
  const el = document.createElement('div');
  el.id = `probe-${mode}`;
  el.style.height = '200px';
  document.body.append(el);
  const chart = mountChart(el, { symbol: 'ACME', venue: 'SIM', interval: '15m', mode, id: el.id });
  if (wait) await chart.ready;
  chart.destroy();
  el.remove();
  window.__calls.length = 0;
  return { before, registered: Object.keys(window.tradedeckCharts ?? {}).includes(el.id) };
}"""

WATCHED = ("tradedeck:theme", "keydown", "pointerup")
BELL = "/api/v1/notifications/"
"""The navbar bell (alerts.js) opens its stream a moment after page load: not the chart's."""


def test_destroyed_charts_leave_nothing_running(
    live_server: str, live_app: Flask, page: Page
) -> None:
    seed_instrument(live_app)
    login(page, live_server, live_app)
    page.add_init_script(COUNT_LISTENERS)
    page.goto(f"{live_server}/profile")
    for mode, wait in (("full", True), ("full", False), ("mini", True), ("mini", False)):
        result = page.evaluate(MOUNT, {"mode": mode, "wait": wait})
        time.sleep(1.5)  # a pending load would go on to the clock, the stream or analytics
        after = page.evaluate("window.__listeners")
        for kind in WATCHED:
            assert after.get(kind, 0) == result["before"].get(kind, 0), (mode, wait, kind)
        assert not result["registered"], (mode, wait)
        calls = [c for c in page.evaluate("window.__calls") if not c.startswith(BELL)]
        assert calls == [], (mode, wait, calls)
        assert page.evaluate("document.querySelector('.td-chart') === null")


def test_chart_and_mini_charts_render_in_both_themes(
    live_server: str, live_app: Flask, page: Page
) -> None:
    """Screenshots of the full chart and the stocks page's mini trends, dark then light."""
    seed_instrument(live_app)
    login(page, live_server, live_app)
    for theme in ("dark", "light"):
        page.goto(f"{live_server}/chart?symbol=ACME&venue=SIM&interval=15m")
        page.wait_for_function("() => window.tradedeckCharts?.main?.isReady === true")
        if page.evaluate("document.documentElement.dataset.bsTheme") != theme:
            page.click("#theme-toggle")
        screenshot(page, f"chart-refactor-{theme}")
        page.goto(f"{live_server}/stocks")
        page.wait_for_function(
            "() => Object.values(window.tradedeckCharts ?? {}).some((c) => c.isReady)"
        )
        minis = page.evaluate("Object.values(window.tradedeckCharts).map((c) => c.stats())")
        assert minis and all(m["mode"] == "mini" and m["candles"] > 0 for m in minis)
        screenshot(page, f"stocks-mini-{theme}")
