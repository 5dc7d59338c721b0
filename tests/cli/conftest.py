"""`run(*args)`: the `accounts-center` command against this test's database."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from accounts_center.cli.main import app
from tests.support import TEST_SECRET_KEY


@pytest.fixture
def run(database_url, monkeypatch, tmp_path):
    monkeypatch.setenv("ACCOUNTS_CENTER_DATABASE_URL", database_url)
    monkeypatch.setenv("ACCOUNTS_CENTER_SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input, env={"COLUMNS": "200"})

    return invoke
