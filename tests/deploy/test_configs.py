"""deploy/: the nginx site passes `nginx -t`, the systemd units pass `systemd-analyze verify`,
and the compose file and `.env.example` name real services and settings."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tradedeck.config import Config

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
VENV_BIN = Path(sys.executable).parent


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A throwaway certificate for tradedeck.example.com (fullchain.pem, privkey.pem)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "tradedeck.example.com")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("tradedeck.example.com")]), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    chain, private = folder / "fullchain.pem", folder / "privkey.pem"
    chain.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return chain, private


def nginx_config(tmp_path: Path, upstreams: Path, ports: tuple[int, int] = (80, 443)) -> Path:
    """A standalone nginx.conf around the site: temp paths, the certificate made here."""
    chain, private = self_signed(tmp_path)
    site = (DEPLOY / "nginx" / "tradedeck-site.conf").read_text()
    site = site.replace("/etc/ssl/tradedeck/fullchain.pem", str(chain))
    site = site.replace("/etc/ssl/tradedeck/privkey.pem", str(private))
    site = site.replace("/var/log/nginx/", f"{tmp_path}/")
    for host, loopback in (("", "127.0.0.1:"), ("[::]:", "[::1]:")):  # no privileged ports
        site = site.replace(f"listen {host}80;", f"listen {loopback}{ports[0]};")
        site = site.replace(f"listen {host}443 ssl", f"listen {loopback}{ports[1]} ssl")
    site = site.replace("/srv/tradedeck/static/", f"{ROOT}/src/tradedeck/web/static/")
    (tmp_path / "site.conf").write_text(site)
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        f"""
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log;
worker_processes 1;
events {{ worker_connections 1024; }}
http {{
    access_log {tmp_path}/access.log;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {upstreams};
    include {tmp_path}/site.conf;
}}
"""
    )
    return conf


NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
needs_nginx = pytest.mark.skipif(NGINX is None, reason="nginx not installed (.ci/run installs it)")


@needs_nginx
def test_nginx_site_passes_nginx_t(tmp_path: Path) -> None:
    conf = nginx_config(tmp_path, DEPLOY / "nginx" / "tradedeck-upstreams.conf")
    result = subprocess.run(
        [NGINX, "-t", "-c", str(conf), "-p", str(tmp_path)],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr


def test_nginx_site_streams_unbuffered_and_serves_static() -> None:
    site = (DEPLOY / "nginx" / "tradedeck-site.conf").read_text()
    stream = site[site.index("location ~ ^/api/v1/(notifications/)?stream$") :].split("}", 1)[0]
    assert "proxy_pass http://tradedeck_stream;" in stream
    assert "proxy_buffering off;" in stream and "proxy_read_timeout 1h;" in stream
    assert "location /static/" in site and "ssl_certificate " in site
    assert "return 301 https://" in site
    for upstreams in (DEPLOY / "nginx" / "tradedeck-upstreams.conf",
                      DEPLOY / "docker" / "nginx-upstreams.conf"):  # fmt: skip
        text = upstreams.read_text()
        assert "upstream tradedeck_web" in text and "upstream tradedeck_stream" in text


SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze not installed")
def test_systemd_units_pass_verify(tmp_path: Path) -> None:
    """Paths point at this checkout's virtualenv so `verify` finds the executables."""
    units = sorted((DEPLOY / "systemd").glob("tradedeck-*"))
    assert {u.name for u in units} >= {
        "tradedeck-web.service", "tradedeck-worker@.service", "tradedeck-stream.service",
        "tradedeck-backup.service", "tradedeck-backup.timer",
    }  # fmt: skip
    for unit in units:
        text = unit.read_text().replace("/srv/tradedeck/venv/bin/", f"{VENV_BIN}/")
        name = unit.name.replace("@.service", "@1.service")
        (tmp_path / name).write_text(text)
        if unit.name == "tradedeck-worker@.service":
            (tmp_path / unit.name).write_text(text)
    env_dir = Path("/etc/tradedeck")
    checked = [str(tmp_path / n.name.replace("@.service", "@1.service")) for n in units]
    result = subprocess.run(
        [SYSTEMD_ANALYZE, "verify", "--man=no", *checked],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    problems = [
        line
        for line in result.stderr.splitlines()
        if line.strip()
        and str(env_dir) not in line  # the env file exists on the server, not here
        and "ReadWritePaths" not in line
        and "WorkingDirectory" not in line
    ]
    assert not problems, result.stderr


def test_units_restart_and_stop_gracefully() -> None:
    for name in ("tradedeck-web.service", "tradedeck-worker@.service", "tradedeck-stream.service"):
        text = (DEPLOY / "systemd" / name).read_text()
        assert "Restart=always" in text and "KillSignal=SIGTERM" in text, name
        assert "EnvironmentFile=/etc/tradedeck/tradedeck.env" in text, name
        assert "PROMETHEUS_MULTIPROC_DIR=/run/tradedeck/metrics" in text, name


def test_compose_runs_every_service_on_postgres_and_redis() -> None:
    compose = yaml.safe_load((DEPLOY / "docker" / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) >= {"web", "worker", "stream", "postgres", "redis", "nginx"}
    for role in ("web", "worker", "stream"):
        service = services[role]
        assert service["command"] == [role]
        assert service["environment"]["REDIS_URL"].startswith("redis://redis:")
        assert service["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://")
        assert service["restart"] == "unless-stopped"
    entrypoint = (DEPLOY / "docker" / "entrypoint.sh").read_text()
    assert "tradedeck stream" in entrypoint and "tradedeck worker" in entrypoint
    dockerfile = (DEPLOY / "docker" / "Dockerfile").read_text()
    assert "requirements.lock" in dockerfile and "ENTRYPOINT" in dockerfile


def test_env_example_names_only_real_settings() -> None:
    names = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    known = {
        (field.validation_alias if isinstance(field.validation_alias, str) else name.upper())
        for name, field in Config.model_fields.items()
    }
    extra = {"WEB_CONCURRENCY", "GUNICORN_THREADS", "POSTGRES_PASSWORD"}  # gunicorn / compose
    assert names - extra <= known, names - extra - known
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "TRADEDECK_ENV"} <= names
