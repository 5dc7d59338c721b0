"""`accounts-center serve`: the hub advertises the address it listens on unless a public
URL is set, and says which issuer it uses as it starts (issue 11, point 4)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from typer.testing import CliRunner

from accounts_center.cli.main import app
from accounts_center.settings import Settings
from tests.live_hub import running_hub


def authorize_error(base_url: str, client_id: str) -> dict[str, list[str]]:
    """What a silent sign-in without a hub login sends back to the app."""
    response = httpx.get(f"{base_url}/oauth2/authorize", params={
        "response_type": "code", "client_id": client_id,
        "redirect_uri": "https://chat.example/cb", "scope": "openid", "state": "s1",
        "prompt": "none", "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256"}, timeout=10)
    assert response.status_code == 303, response.text
    return parse_qs(urlsplit(response.headers["location"]).query)


def test_serve_on_another_port_advertises_that_port_as_its_issuer(tmp_path):
    with running_hub(tmp_path, set_public_url=False) as live:
        assert urlsplit(live.base_url).port != 8000
        metadata = httpx.get(f"{live.base_url}/.well-known/openid-configuration",
                             timeout=10).json()
        assert metadata["issuer"] == live.base_url
        for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri",
                         "end_session_endpoint", "pushed_authorization_request_endpoint"):
            assert metadata[endpoint].startswith(live.base_url + "/"), endpoint
        added = live.cli("apps", "add", "Chat", "--redirect-uri", "https://chat.example/cb",
                         "--webhook-url", "https://chat.example/hooks")
        client_id = re.search(r"^client_id:\s+(\S+)", added.stdout, re.MULTILINE)
        assert client_id, added.stdout + added.stderr
        # The authorization response names the same issuer (RFC 9207).
        assert authorize_error(live.base_url, client_id.group(1))["iss"] == [live.base_url]
    log = (tmp_path / "server.log").read_text()
    assert f"Issuer: {live.base_url} (where this process listens" in log


def test_a_set_public_url_is_advertised_wherever_serve_listens(tmp_path):
    with running_hub(tmp_path, ACCOUNTS_CENTER_PUBLIC_URL="https://accounts.example") as live:
        metadata = httpx.get(f"{live.base_url}/.well-known/openid-configuration",
                             timeout=10).json()
        assert metadata["issuer"] == "https://accounts.example"
        assert metadata["token_endpoint"] == "https://accounts.example/oauth2/token"
    assert "Issuer: https://accounts.example (ACCOUNTS_CENTER_PUBLIC_URL)" in (
        tmp_path / "server.log").read_text()


def test_serving_plain_http_off_this_machine_without_a_public_url_stops_in_one_line(
        monkeypatch, tmp_path):
    monkeypatch.delenv("ACCOUNTS_CENTER_PUBLIC_URL", raising=False)
    monkeypatch.setenv("ACCOUNTS_CENTER_DATABASE_URL", f"sqlite:///{tmp_path / 'hub.db'}")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["serve", "--host", "192.0.2.10", "--port", "9000"],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 1
    assert "ACCOUNTS_CENTER_PUBLIC_URL" in result.output and "https://" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "hub.db").exists()  # stopped before touching anything


@pytest.mark.parametrize(("host", "issuer"), [
    ("127.0.0.1", "http://127.0.0.1:9000"),
    ("localhost", "http://localhost:9000"),
    ("::1", "http://[::1]:9000"),
    # Every interface includes the loopback one, where a browser on this machine is.
    ("0.0.0.0", "http://127.0.0.1:9000"),
    ("::", "http://[::1]:9000"),
])
def test_an_unset_public_url_is_where_serve_listens(monkeypatch, host, issuer):
    monkeypatch.delenv("ACCOUNTS_CENTER_PUBLIC_URL", raising=False)
    settings = Settings(_env_file=None).served_at(host, 9000)
    assert settings.issuer == issuer and not settings.cookies_secure


def test_a_set_public_url_is_kept_and_makes_cookies_secure(monkeypatch):
    monkeypatch.delenv("ACCOUNTS_CENTER_PUBLIC_URL", raising=False)
    settings = Settings(_env_file=None, public_url="https://accounts.example/"
                        ).served_at("0.0.0.0", 9000)
    assert settings.issuer == "https://accounts.example" and settings.cookies_secure
    # Commands that serve nothing use the default address when none is set.
    assert Settings(_env_file=None).issuer == "http://127.0.0.1:8000"
