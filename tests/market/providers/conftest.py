import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The fakes live in tests/fakes and are imported as `tests.fakes`; pytest's default import
# mode only puts this folder on sys.path, so add the project root (no effect if present).
_ROOT = str(Path(__file__).resolve().parents[3])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.fakes.binance import FakeBinance  # noqa: E402
from tests.fakes.yahoo import FakeYahoo  # noqa: E402


@pytest.fixture
def fake_binance() -> Iterator[FakeBinance]:
    with FakeBinance() as server:
        yield server


@pytest.fixture
def fake_yahoo() -> Iterator[FakeYahoo]:
    with FakeYahoo() as server:
        yield server
