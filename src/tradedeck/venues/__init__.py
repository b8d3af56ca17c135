"""Venues: when each venue trades (weekly sessions, exchange calendars, holidays, overrides),
the market clock and calendar API, and the admin pages, API and CLI that edit them."""
