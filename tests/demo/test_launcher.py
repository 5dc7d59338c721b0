"""The one command: the hub and the three apps answer, and Ctrl-C (SIGINT) stops every
process it started."""

from __future__ import annotations

import json
import os
import signal
import stat
import time
from pathlib import Path

import httpx
import pytest

from accounts_center_demo.launcher import declares_the_same
from tests.demo_family import running_family


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def printed_as_the_readme_shows(log: str, hub: str, apps: dict[str, str]) -> bool:
    """The README's block of what `./scripts/start` prints, with this run's ports."""
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    block = readme.split("The Accounts Center family is running:", 1)[1].split("```")[0]
    shown = block.replace("http://127.0.0.1:8000", hub)
    for slug, default_port in (("chat", 8001), ("pics", 8002), ("social", 8003)):
        shown = shown.replace(f"http://127.0.0.1:{default_port}", apps[slug])
    return "The Accounts Center family is running:" + shown.rstrip() in log


@pytest.mark.parametrize("sigint_ignored", [False, True], ids=["foreground", "background"])
def test_start_serves_all_four_and_sigint_stops_every_child(tmp_path: Path,
                                                           sigint_ignored: bool) -> None:
    with running_family(tmp_path, sigint_ignored) as family:
        assert httpx.get(family.hub + "/v1/health", timeout=5).status_code == 200
        for url in family.apps.values():
            assert httpx.get(url + "/login", timeout=5).status_code == 200
        log = family.log.read_text()
        for url in (family.hub, *family.apps.values()):
            assert url in log
        assert printed_as_the_readme_shows(log, family.hub, family.apps)
        kept_secrets = []
        for slug in family.apps:
            state = family.state_dir / f"{slug}.json"
            assert stat.S_IMODE(os.stat(state).st_mode) == 0o600
            kept = json.loads(state.read_text())
            kept_secrets += [kept["client_secret"], kept["webhook_secret"]]
        children = children_of(family.process.pid)
        assert len(children) == 4, children  # the hub and three apps
        family.process.send_signal(signal.SIGINT)
        assert family.process.wait(timeout=15) == 0
        assert not [pid for pid in children if running(pid)]
    secrets_seen = [line for line in log.splitlines() if "whsec_" in line or ("secret" in line
                    and ":" in line and "key" not in line)]
    assert not secrets_seen


def test_no_part_of_the_family_outlives_a_killed_launcher(tmp_path: Path) -> None:
    with running_family(tmp_path) as family:
        children = children_of(family.process.pid)
        assert len(children) == 4, children
        family.process.kill()  # SIGKILL: the launcher cannot stop anything itself
        family.process.wait(timeout=10)
        deadline = time.monotonic() + 15
        while [pid for pid in children if running(pid)] and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [pid for pid in children if running(pid)]


def test_a_second_sigterm_does_not_cut_the_stopping_short(tmp_path: Path) -> None:
    with running_family(tmp_path) as family:
        children = children_of(family.process.pid)
        family.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while "Stopping" not in family.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.02)
        family.process.send_signal(signal.SIGTERM)  # impatient: a service manager, a user
        assert family.process.wait(timeout=15) == 0
        assert not [pid for pid in children if running(pid)]
        assert "Traceback" not in family.log.read_text()


def test_an_app_whose_capabilities_grew_is_registered_again(tmp_path: Path) -> None:
    """A state directory from an older demo: the hub holds fewer `receives` than the app's
    capabilities.json declares now, so the launcher registers the app afresh."""
    declared = tmp_path / "capabilities.json"
    declared.write_text(json.dumps({"sends": ["activity", "device"],
                                    "receives": ["avatar", "account_details"]}))
    held = {"sends": ["device", "activity"], "receives": ["account_details", "avatar"],
            "crosspost": {"sources": [], "destinations": []}, "creations": False}
    assert declares_the_same(json.dumps({"capabilities": held}), declared)
    older = {**held, "receives": ["account_details"]}
    assert not declares_the_same(json.dumps({"capabilities": older}), declared)
    assert not declares_the_same("not json", declared)
