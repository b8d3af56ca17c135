from pathlib import Path

from flask.testing import FlaskClient

from tests.helpers import make_app


def test_security_headers_on_pages_and_api(client: FlaskClient) -> None:
    for path in ("/", "/login", "/api/v1/auth/me", "/health"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Strict-Transport-Security" not in headers


def test_pages_have_no_inline_script(client: FlaskClient) -> None:
    for path in ("/", "/login", "/register", "/api/docs/", "/api/docs/swagger"):
        html = client.get(path).get_data(as_text=True)
        for chunk in html.split("<script")[1:]:
            assert chunk.lstrip().startswith(("src=", 'type="module" src=')), chunk[:80]


def test_production_adds_hsts_and_secure_session_cookie(tmp_path: Path) -> None:
    app = make_app(tmp_path, TRADEDECK_ENV="production", SECRET_KEY="p" * 48)
    client = app.test_client()
    response = client.get("/login")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    cookie = response.headers.get("Set-Cookie", "")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
