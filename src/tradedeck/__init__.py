"""TradeDeck: self-hosted trading workstation and paper-trading exchange."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("tradedeck")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+local"
