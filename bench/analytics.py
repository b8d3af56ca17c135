"""Benchmark: every analytics study on 100k and 1M bars, against `smartmoneyconcepts` on 100k.

Run: .venv/bin/python bench/analytics.py
Cold figures come from fresh subprocesses (first call: imports, and JIT compile when the numba
cache is empty); warm figures are the best of several in-process runs. The reference library
runs in its own venv (.venv-smc, created on first use from bench/requirements-smc.txt) on the
same bars, handed over in a temporary .npz file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SMC_VENV = ROOT / ".venv-smc"
SMC_REQUIREMENTS = ROOT / "bench" / "requirements-smc.txt"
SWING_LENGTH = 5
SIZES = (100_000, 1_000_000)
WARM_RUNS = 3

SMC_SCRIPT = """
import json, sys, time
import numpy as np, pandas as pd
from smartmoneyconcepts import smc
bars = np.load(sys.argv[1])
ohlc = pd.DataFrame({k: bars[k] for k in ("open", "high", "low", "close", "volume")})
ohlc.index = pd.to_datetime(bars["time"], unit="s")
times = {}
def timed(name, call):
    start = time.perf_counter(); result = call(); times[name] = time.perf_counter() - start
    return result
length = int(sys.argv[2])
swings = timed("swing_highs_lows", lambda: smc.swing_highs_lows(ohlc, swing_length=length))
timed("fvg", lambda: smc.fvg(ohlc))
timed("bos_choch", lambda: smc.bos_choch(ohlc, swings))
timed("ob", lambda: smc.ob(ohlc, swings))
timed("liquidity", lambda: smc.liquidity(ohlc, swings))
print(json.dumps(times))
"""

COLD_SCRIPT = """
import sys, time
start = time.perf_counter()
import numpy as np
from tradedeck.core.analytics import STUDIES, to_arrays
from tradedeck.core.analytics.registry import run_study
bars = np.load(sys.argv[1])
candles = to_arrays({k: bars[k] for k in bars.files})
for name in STUDIES:
    run_study(candles, name, {})
print(time.perf_counter() - start)
"""


def random_walk(size: int, seed: int = 42) -> dict[str, np.ndarray]:
    """Minute bars of a random walk with realistic wicks."""
    rng = np.random.default_rng(seed)
    close = 100 + np.cumsum(rng.normal(0, 0.05, size))
    open_ = np.concatenate(([100.0], close[:-1]))
    return {
        "time": 1_600_000_000 + 60 * np.arange(size, dtype=np.int64),
        "open": open_,
        "high": np.maximum(open_, close) + rng.exponential(0.03, size),
        "low": np.minimum(open_, close) - rng.exponential(0.03, size),
        "close": close,
        "volume": rng.random(size) * 1000,
    }


def run_all(candles, params: dict) -> None:
    from tradedeck.core.analytics import STUDIES
    from tradedeck.core.analytics.registry import run_study

    for name in STUDIES:
        run_study(candles, name, params.get(name, {}))


def warm_seconds(bars: dict[str, np.ndarray]) -> tuple[float, dict[str, float]]:
    """Best total of WARM_RUNS runs of all studies, and the best time of each study."""
    from tradedeck.core.analytics import STUDIES, to_arrays
    from tradedeck.core.analytics.registry import run_study

    candles = to_arrays(bars)
    run_all(candles, {})
    per_study = {name: float("inf") for name in STUDIES}
    best_total = float("inf")
    for _ in range(WARM_RUNS):
        start = time.perf_counter()
        run_all(to_arrays(bars), {})
        best_total = min(best_total, time.perf_counter() - start)
        for name in STUDIES:
            begin = time.perf_counter()
            run_study(candles, name, {})
            per_study[name] = min(per_study[name], time.perf_counter() - begin)
    return best_total, per_study


def cold_seconds(npz: Path, empty_jit_cache: bool) -> float:
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as cache:
        if empty_jit_cache:
            env["NUMBA_CACHE_DIR"] = cache
        out = subprocess.run(
            [sys.executable, "-c", COLD_SCRIPT, str(npz)],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
    return float(out.stdout.strip())


def smc_python() -> Path:
    """The reference venv's python, creating the venv on first use."""
    python = SMC_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {SMC_VENV} for smartmoneyconcepts ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(SMC_VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "-r", str(SMC_REQUIREMENTS)], check=True
        )
    return python


def smc_seconds(npz: Path) -> dict[str, float]:
    out = subprocess.run(
        [str(smc_python()), "-c", SMC_SCRIPT, str(npz), str(SWING_LENGTH)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def ours_smc_subset(bars: dict[str, np.ndarray]) -> float:
    """Best time of our counterparts of the five reference functions (same swing length)."""
    from tradedeck.core.analytics import fvg, liquidity, order_blocks, structure, swings, to_arrays

    best = float("inf")
    for _ in range(WARM_RUNS + 1):
        start = time.perf_counter()
        candles = to_arrays(bars)
        swings(candles, SWING_LENGTH)
        fvg(candles)
        structure(candles, SWING_LENGTH)
        order_blocks(candles, SWING_LENGTH)
        liquidity(candles, SWING_LENGTH)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    with tempfile.TemporaryDirectory() as folder:
        for size in SIZES:
            bars = random_walk(size)
            npz = Path(folder) / f"bars_{size}.npz"
            np.savez(npz, **bars)
            compile_cold = cold_seconds(npz, empty_jit_cache=True)
            cached_cold = cold_seconds(npz, empty_jit_cache=False)
            total, per_study = warm_seconds(bars)
            print(f"\n== all 13 studies on {size:,} bars ==")
            print(f"cold, fresh process, empty JIT cache : {compile_cold:8.3f} s")
            print(f"cold, fresh process, JIT cache on disk: {cached_cold:8.3f} s")
            print(f"warm, best of {WARM_RUNS}                     : {total:8.3f} s")
            print("  " + "  ".join(f"{n} {t * 1000:.0f}ms" for n, t in per_study.items()))
        bars = random_walk(SIZES[0])
        npz = Path(folder) / "bars_smc.npz"
        np.savez(npz, **bars)
        reference = smc_seconds(npz)
        ours = ours_smc_subset(bars)
        total = sum(reference.values())
        print(
            f"\n== swings, fvg, structure, order blocks, liquidity on {SIZES[0]:,} bars "
            f"(swing length {SWING_LENGTH}) =="
        )
        print("smartmoneyconcepts: " + "  ".join(f"{n} {t:.2f}s" for n, t in reference.items()))
        print(f"smartmoneyconcepts total : {total:8.3f} s")
        print(f"TradeDeck (warm) total   : {ours:8.4f} s")
        print(f"speed-up                 : {total / ours:8.0f}x")


if __name__ == "__main__":
    main()
