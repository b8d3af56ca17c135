from tests.fakes.binance import LISTED_MS
from tests.market.helpers import closed_port_url
from tradedeck.market import catalogue, store

START = LISTED_MS // 1000


def _run(app, *args: str):
    return app.test_cli_runner().invoke(args=["market", *args])


def test_fetch_symbols_and_backfill(app, fake_binance):
    result = _run(app, "fetch-symbols", "--exchange", "binance")
    assert result.exit_code == 0, result.output
    assert "Saved 3 symbols from BINANCE (3 new, 0 updated)" in result.output
    args = (
        "backfill",
        "BTC/USDT",
        "--interval",
        "15m",
        "--start",
        "2024-01-01",
        "--end",
        "2024-01-25",
    )
    result = _run(app, *args)
    assert result.exit_code == 0, result.output
    assert "Stored 2304 new 15m candles" in result.output
    requests = len(fake_binance.log)
    assert "Stored 0 new" in _run(app, *args).output
    assert len(fake_binance.log) == requests
    with app.app_context():
        inst = catalogue.get_instrument("BTC/USDT")
        assert len(store.read_candles(inst.id, "15m", START, START + 24 * 86_400)) == 2304


def test_clear_errors_without_tracebacks(app):
    bad_date = _run(app, "backfill", "BTC/USDT", "--start", "2024-99-01")
    assert bad_date.exit_code == 2 and "--start" in bad_date.output
    unknown = _run(app, "fetch-symbols", "--exchange", "nosuchex")
    assert unknown.exit_code == 1 and "Unknown venue or exchange" in unknown.output
    missing = _run(app, "backfill", "NOPE/USDT", "--start", "2024-01-01", "--end", "2024-01-02")
    assert missing.exit_code == 1 and "does not list symbol" in missing.output
    for result in (bad_date, unknown, missing):
        assert "Traceback" not in result.output


def test_offline_exchange(app):

    app.config["TRADEDECK"] = app.config["TRADEDECK"].model_copy(
        update=dict(binance_url=closed_port_url())
    )
    result = _run(app, "fetch-symbols")
    assert result.exit_code == 1 and "Cannot reach BINANCE" in result.output


def test_import_csv(app, tmp_path):
    good = tmp_path / "x.csv"
    good.write_text(
        "Date,Open,High,Low,Close,Volume\n"
        "2024-01-01 00:00:00,1,2,0.5,1.5,10\n2024-01-01 01:00:00,1.5,2,1,1.8,12\n"
    )
    result = _run(
        app, "import-csv", str(good), "--symbol", "MYCO", "--venue", "CSV", "--interval", "1h"
    )
    assert result.exit_code == 0, result.output
    assert "Imported 2 1h candles of MYCO on CSV" in result.output
    with app.app_context():
        inst = catalogue.get_instrument("MYCO", "CSV")
        assert store.read_candles(inst.id, "1h", 0, 2**40).close.tolist() == [1.5, 1.8]
    result = _run(app, "import-csv", str(good), "--symbol", "MYCO", "--interval", "1d")
    assert result.exit_code == 1 and "not the open time of a 1d candle" in result.output
    broken = tmp_path / "broken.csv"
    broken.write_text("time,open,high,low,close\n2024-01-01,1,2,x,1\n")
    result = _run(app, "import-csv", str(broken), "--symbol", "B", "--interval", "1d")
    assert result.exit_code == 1 and "line 2" in result.output


def test_backfill_takes_the_exchange_native_symbol(app, fake_binance):
    """`market backfill BTCUSDT` said BINANCE does not list it."""
    args = ("--interval", "1d", "--start", "2024-01-01", "--end", "2024-01-11")
    result = _run(app, "backfill", "BTCUSDT", *args)
    assert result.exit_code == 0, result.output
    assert "Stored 10 new 1d candles of BTC/USDT." in result.output
    again = _run(app, "backfill", "btcusdt", *args)
    assert again.exit_code == 0 and "Stored 0 new" in again.output, again.output
