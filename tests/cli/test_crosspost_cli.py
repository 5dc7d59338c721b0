"""`accounts-center crosspost directions` as an operator uses it (issue 14, point 1)."""

from __future__ import annotations

import re

from accounts_center.domain.categories import CrossPostType
from accounts_center.hub import build_hub
from accounts_center.services.crosspost_routes import direction_matrix
from tests.support import cheap_settings


def row(output: str, source: str) -> list[str]:
    """The cells of one source type's row, in column order (status, story, post, photo)."""
    line = next(line for line in output.splitlines()
                if re.match(rf"^\W*{source}\b", line.strip("│┃ ")))
    return re.findall(r"\b(on|off)\b( \*)?", line)


def test_the_matrix_shows_status_to_story_on_and_the_rest_off(run):
    result = run("crosspost", "directions")
    assert result.exit_code == 0, result.output
    assert [cell for cell, _ in row(result.output, "status")] == ["off", "on", "off", "off"]
    assert [cell for cell, _ in row(result.output, "story")] == ["off"] * 4


def test_allow_and_deny_change_the_stored_matrix(run, database_url):
    result = run("crosspost", "directions", "--allow", "story:status", "--deny",
                 "status:story")
    assert result.exit_code == 0, result.output
    assert row(result.output, "story")[0] == ("on", " *")
    assert row(result.output, "status")[1] == ("off", " *")
    hub = build_hub(cheap_settings(database_url))
    try:
        matrix = direction_matrix(hub)
    finally:
        hub.close()
    assert matrix.allows(CrossPostType.STORY, CrossPostType.STATUS)
    assert not matrix.allows(CrossPostType.STATUS, CrossPostType.STORY)
    # Shown the same afterwards, without options.
    assert row(run("crosspost", "directions").output, "story")[0] == ("on", " *")


def test_bad_input_is_one_clear_line_and_a_non_zero_exit(run):
    for args in (["--allow", "status"], ["--allow", "status:reel"],
                 ["--allow", "story:status", "--deny", "story:status"]):
        result = run("crosspost", "directions", *args)
        assert result.exit_code != 0, args
        assert len(result.output.strip().splitlines()) == 1, result.output
        assert result.output.startswith("error:"), result.output
    assert "off" in row(run("crosspost", "directions").output, "story")[0][0]
