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
    for path, test in re.findall(r"`((?:sdk/)?tests/[\w/]+\.py)(?:::(\w+))?`", page):
        source = (ROOT / path).read_text()
        if test:
            assert f"def {test}(" in source, f"{path}::{test}"
    for test in re.findall(r"`::(\w+)`", page):
        assert any(f"def {test}(" in p.read_text()
                   for folder in (ROOT / "tests", ROOT / "sdk" / "tests")
                   for p in folder.rglob("*.py")), test


def test_the_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "./scripts/test" in readme and "scripts/test" in ci


SDK_DOCS = (ROOT / "docs" / "integrating.md", ROOT / "sdk" / "README.md")


def test_the_sdk_pages_name_only_what_the_sdk_has_and_show_all_of_it():
    import accounts_center_sdk as sdk

    text = "\n".join(page.read_text() for page in SDK_DOCS)
    for method in set(re.findall(r"\bhub\.(\w+)\(", text)):
        assert hasattr(sdk.AccountsCenter, method), method
        assert hasattr(sdk.AsyncAccountsCenter, method), method
    for name in set(re.findall(r"`([A-Z][A-Za-z]+)`", text)):
        assert hasattr(sdk, name), name
    undocumented = [name for name in sdk.__all__ if name not in text]
    assert not undocumented, undocumented
