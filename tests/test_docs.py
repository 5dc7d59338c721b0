"""The documentation promises what the code does: every setting and every test named in
docs/security.md exists."""

import re
from pathlib import Path

from accounts_center.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_documented():
    documented = (ROOT / "docs" / "configuration.md").read_text()
    for name in Settings.model_fields:
        assert f"`ACCOUNTS_CENTER_{name.upper()}`" in documented, name


def test_every_test_named_in_the_security_page_exists():
    page = (ROOT / "docs" / "security.md").read_text()
    for path, test in re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", page):
        source = (ROOT / path).read_text()
        if test:
            assert f"def {test}(" in source, f"{path}::{test}"
    for test in re.findall(r"`::(\w+)`", page):
        assert any(f"def {test}(" in p.read_text() for p in (ROOT / "tests").rglob("*.py")), test


def test_the_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "./scripts/test" in readme and "scripts/test" in ci
