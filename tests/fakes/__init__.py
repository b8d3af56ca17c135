"""Fake external services on 127.0.0.1 that behave like the real ones (no internet in tests)."""
