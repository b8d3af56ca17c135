"""Chart render benchmark: navigation to a fully drawn chart of 10,000 candles, all overlays on.

Goal (issue 5): under 1 s in headless Chromium on this machine. The figure is the component's
`tradedeck:chart:ready:main` Performance mark (candles, volume, every overlay's analytics and
drawing done, two frames painted), measured from navigation start. References in the same
run: the same page with no overlays, and a plain page (login form) until its load event.
Run: .venv/bin/python bench/chart_render.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.charts.factories import seed_instrument
from tests.helpers import PASSWORD, create_user, make_app

CHROMIUM = "/usr/bin/chromium"
CANDLES = 10_000
INTERVAL = "5m"
RUNS = 7
END = datetime(2024, 3, 1, tzinfo=UTC)
START = END - timedelta(days=35)  # 10,080 5m bars: the chart loads its 10,000 maximum
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
READY = "performance.getEntriesByName('tradedeck:chart:ready:main')[0]?.startTime ?? null"


def chart_ms(page: Page, base: str, overlays: str) -> tuple[float, dict]:
    """Milliseconds from navigation start to the ready mark, and the chart's stats."""
    last_day = (END - timedelta(days=1)).date().isoformat()
    page.goto(
        f"{base}/chart?symbol=BENCH&venue=SIM&interval={INTERVAL}"
        f"&startDate={START.date().isoformat()}&endDate={last_day}&overlays={overlays}"
    )
    page.wait_for_function(f"() => ({READY}) !== null", timeout=60_000)
    return page.evaluate(READY), page.evaluate("window.tradedeckCharts.main.stats()")


def plain_ms(page: Page, base: str) -> float:
    page.goto(f"{base}/health")
    page.goto(f"{base}/profile")
    return page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")


def main() -> None:
    app = make_app(Path(tempfile.mkdtemp()))
    seed_instrument(app, "BENCH", (INTERVAL,), CANDLES, end=int(END.timestamp()) - 1)
    create_user(app, "bench")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.goto(f"{base}/login")
        page.fill("#identifier", "bench")
        page.fill("#password", PASSWORD)
        page.click("#login-form [type=submit]")
        chart_ms(page, base, "all")  # warm-up: numba JIT of the studies, browser caches
        full, bare, plain = [], [], []
        for _ in range(RUNS):
            ms, stats = chart_ms(page, base, "all")
            full.append(ms)
            bare.append(chart_ms(page, base, "")[0])
            plain.append(plain_ms(page, base))
        browser.close()
    server.shutdown()
    assert stats["candles"] == CANDLES, stats
    drawn = {k: sum(v.values()) for k, v in stats["overlays"].items()}
    print(f"chart, {CANDLES:,} {INTERVAL} candles, all 9 overlays: ", end="")
    print(f"median {statistics.median(full):7.0f} ms  (best {min(full):.0f}, runs {RUNS})")
    print(f"  reference, same chart without overlays: median {statistics.median(bare):7.0f} ms")
    print(f"  reference, plain page to load event:    median {statistics.median(plain):7.0f} ms")
    print(f"  drawn per overlay: {drawn}")
    print(f"  goal < 1000 ms: {'met' if statistics.median(full) < 1000 else 'NOT met'}")


if __name__ == "__main__":
    main()
