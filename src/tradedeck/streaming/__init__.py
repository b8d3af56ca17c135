"""The stream server: `/api/v1/stream` and the notification bell's
`/api/v1/notifications/stream` (SSE) served by an ASGI app under uvicorn.

A live stream under gunicorn holds one of its request threads for minutes; here a stream is a
coroutine waiting on a queue, so one process holds thousands. `tradedeck stream` runs it
beside the web processes (nginx routes `/api/v1/stream` to it); it authenticates each
connection through the Flask app's own Flask-Login loaders (`auth`), and one subscription per
process fans the published ticks out to every client (`hub`).
"""
