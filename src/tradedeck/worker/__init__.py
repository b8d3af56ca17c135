"""Background work: huey job queue (cron-style and queued jobs) and a fast service loop."""
