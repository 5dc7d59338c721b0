"""bench/docs_sections.py: a benchmark's section of docs/benchmarks.md is rewritten with
the new rows first, earlier rows kept under their own table, and notes kept as written."""

from __future__ import annotations

from docs_sections import Table, markers, write_section

HEADERS = (("| date | a |", "| --- | ---: |"), ("| date | b | c |", "| --- | ---: | ---: |"))


def tables(day: str) -> list[Table]:
    return [Table("First:", HEADERS[0], [f"| {day} | 1 |"]),
            Table("Second:", HEADERS[1], [f"| {day} | 2 | 3 |"])]


def test_rows_are_kept_per_table_newest_first_and_notes_survive(tmp_path):
    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\n<!-- bench:other:begin -->\nkept\n<!-- bench:other:end -->\n")
    write_section("x", "X", ["intro"], tables("2026-01-01"), ["outro"], docs=docs)
    _, _, notes_begin, notes_end = markers("x")
    text = docs.read_text().replace(f"{notes_begin}\n", f"{notes_begin}\nA finding.\n")
    docs.write_text(text)
    write_section("x", "X", ["intro"], tables("2026-02-02"), ["outro"], docs=docs)

    text = docs.read_text()
    assert text.count("<!-- bench:x:begin -->") == 1 and "kept" in text
    first = text.index("| 2026-02-02 | 1 |")
    assert first < text.index("| 2026-01-01 | 1 |") < text.index("Second:")
    assert text.index("Second:") < text.index("| 2026-02-02 | 2 | 3 |") \
        < text.index("| 2026-01-01 | 2 | 3 |")
    assert f"{notes_begin}\nA finding.\n{notes_end}" in text
