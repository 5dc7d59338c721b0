"""`accounts-center apps …` and `db …` as an operator uses them."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from accounts_center.cli.main import app
from accounts_center.hub import build_hub
from accounts_center.services.member_apps import authenticate_client
from tests.support import cheap_settings


def add_chat(run, *extra: str):
    return run("apps", "add", "Chat", "--redirect-uri", "https://chat.example/cb",
               "--redirect-uri", "http://127.0.0.1:9001/cb",
               "--webhook-url", "https://chat.example/hook", *extra)


def test_add_prints_the_client_id_and_a_working_secret_once(run, database_url):
    result = add_chat(run)
    assert result.exit_code == 0, result.output
    client_id = re.search(r"client_id:\s+(\S+)", result.output).group(1)
    secret = re.search(r"client_secret:\s+(\S+)", result.output).group(1)
    hub = build_hub(cheap_settings(database_url))
    try:
        assert authenticate_client(hub, client_id, secret) is not None
    finally:
        hub.close()
    shown = run("apps", "show", "Chat")
    assert secret not in shown.output and secret not in run("apps", "list").output


def test_add_json_prints_working_credentials_as_one_object_for_scripts(run, database_url):
    result = add_chat(run, "--json")
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert set(printed) == {"name", "client_id", "client_secret", "webhook_secret"}
    assert printed["name"] == "Chat" and printed["webhook_secret"].startswith("whsec_")
    hub = build_hub(cheap_settings(database_url))
    try:
        assert authenticate_client(hub, printed["client_id"], printed["client_secret"])
    finally:
        hub.close()


def test_list_show_rotate_remove(run, tmp_path):
    (tmp_path / "caps.toml").write_text('sends = ["device", "age"]\n'
                                        'receives = ["account_details"]\n'
                                        '[crosspost]\nsources = ["status"]\n')
    assert add_chat(run, "--capabilities", str(tmp_path / "caps.toml"),
                    "--connect-url", "https://chat.example/connect",
                    "--backchannel-logout-uri", "https://chat.example/bcl").exit_code == 0
    listed = run("apps", "list")
    assert "Chat" in listed.output and "age, device" in listed.output
    shown = json.loads(run("apps", "show", "Chat").output)
    assert shown["capabilities"]["crosspost"]["sources"] == ["status"]
    assert shown["redirect_uris"] == ["https://chat.example/cb", "http://127.0.0.1:9001/cb"]
    assert shown["connect_url"] == "https://chat.example/connect"
    assert shown["backchannel_logout_uri"] == "https://chat.example/bcl"
    rotated = run("apps", "rotate-secret", shown["client_id"])
    assert rotated.exit_code == 0 and "client_secret:" in rotated.output
    assert run("apps", "remove", "Chat", input="n\n").exit_code == 1
    assert run("apps", "remove", "Chat", "--yes").exit_code == 0
    assert "No member apps registered yet" in run("apps", "list").output


@pytest.mark.parametrize(("content", "suffix", "message"), [
    ('{"sends": ["device", "contacts"]}', ".json", "sends[1]: 'contacts' is never shared"),
    ('{"sends": ["telepathy"]}', ".json", "sends[0]: unknown data category"),
    ('{"sends": ["device"], "colour": "red"}', ".json", "colour: unknown field"),
    ('{"sends": [', ".json", "invalid JSON at line 1"),
    ('sends = [', ".toml", "invalid TOML"),
])
def test_a_bad_capabilities_file_gets_one_line_naming_the_field(run, tmp_path, content,
                                                                suffix, message):
    path = tmp_path / f"caps{suffix}"
    path.write_text(content)
    result = add_chat(run, "--capabilities", str(path))
    assert result.exit_code != 0
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert "Chat" not in run("apps", "list").output


def test_a_missing_capabilities_file_and_unknown_app_are_clear_errors(run, tmp_path):
    missing = add_chat(run, "--capabilities", str(tmp_path / "nope.json"))
    assert missing.exit_code != 0 and "cannot read capabilities file" in missing.output
    unknown = run("apps", "show", "Nope")
    assert unknown.exit_code != 0 and "no member app named" in unknown.output


def test_bad_urls_are_refused_at_registration(run):
    result = run("apps", "add", "Chat", "--redirect-uri", "http://chat.example/cb",
                 "--webhook-url", "https://chat.example/hook")
    assert result.exit_code != 0 and "must use https" in result.output


def test_db_current_reports_up_to_date(run):
    result = run("db", "current")
    assert result.exit_code == 0 and "up to date" in result.output


def test_db_upgrade_on_an_empty_database(monkeypatch, tmp_path):
    monkeypatch.setenv("ACCOUNTS_CENTER_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    runner = CliRunner()
    assert "needs" in runner.invoke(app, ["db", "current"]).output
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert "up to date" in runner.invoke(app, ["db", "current"]).output


def test_a_generated_secret_key_is_kept_private_and_reused(monkeypatch, tmp_path):
    monkeypatch.delenv("ACCOUNTS_CENTER_SECRET_KEY", raising=False)
    monkeypatch.setenv("ACCOUNTS_CENTER_DATABASE_URL", f"sqlite:///{tmp_path / 'hub.db'}")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    runner.invoke(app, ["db", "upgrade"])
    assert runner.invoke(app, ["apps", "list"]).exit_code == 0
    key_file = tmp_path / ".accounts-center.secret"
    assert key_file.stat().st_mode & 0o777 == 0o600
    first = key_file.read_text()
    runner.invoke(app, ["apps", "list"])
    assert key_file.read_text() == first


@pytest.mark.parametrize("url", ["http://hub.example", "ftp://hub.example", "hub.example"])
def test_a_public_url_without_tls_off_this_machine_is_refused_in_one_line(run, monkeypatch,
                                                                          url):
    # OAuth 2.0 needs TLS: Authlib would refuse every authorization request (a 500).
    monkeypatch.setenv("ACCOUNTS_CENTER_PUBLIC_URL", url)
    result = run("apps", "list")
    assert result.exit_code != 0
    assert "invalid setting public_url: " in result.output
    assert "https://" in result.output and len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("url", ["https://hub.example", "http://127.0.0.1:8000",
                                 "http://localhost:8000"])
def test_https_or_a_loopback_public_url_is_accepted(run, monkeypatch, url):
    monkeypatch.setenv("ACCOUNTS_CENTER_PUBLIC_URL", url)
    assert run("apps", "list").exit_code == 0
