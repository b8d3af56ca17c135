"""Shared web layer: layout templates, static assets and the home page."""
