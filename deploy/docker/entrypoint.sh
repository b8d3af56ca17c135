#!/bin/sh
# Container roles: web (migrate, publish static files for nginx, gunicorn), worker, stream,
# or any other command (e.g. `tradedeck db backup`).
set -eu
role="${1:-web}"
case "$role" in
  web)
    tradedeck db upgrade
    cp -r /srv/tradedeck/static-image/. /srv/tradedeck/static/
    exec gunicorn -c python:tradedeck.gunicorn_conf --bind 0.0.0.0:8000
    ;;
  worker)
    exec tradedeck worker --workers "${WORKER_THREADS:-2}"
    ;;
  stream)
    exec tradedeck stream --host 0.0.0.0 --port 8001
    ;;
  *)
    if ! command -v "$role" >/dev/null 2>&1; then
      echo "tradedeck-entrypoint: unknown role or command '$role' (roles: web, worker, stream)" >&2
      exit 64
    fi
    exec "$@"
    ;;
esac
