"""A benchmark's marked section of docs/benchmarks.md, rewritten by its ``--write-docs``:
the text and tables it renders now, the rows of earlier runs kept under the new ones (per
table, newest first), and hand-written notes between the notes markers kept as they are.

Used by bench/avatar_renders.py and bench/profile_fanout.py."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks.md"
MAX_ROWS = 30
ROW = re.compile(r"^\| \d{4}-\d{2}-\d{2} ")


@dataclass
class Table:
    """A table of results: ``header`` is its two header lines (the first names it among
    the section's tables), ``rows`` the new run's rows."""

    caption: str
    header: tuple[str, str]
    rows: list[str] = field(default_factory=list)


def markers(name: str) -> tuple[str, str, str, str]:
    return (f"<!-- bench:{name}:begin -->", f"<!-- bench:{name}:end -->",
            f"<!-- bench:{name}:notes:begin (kept by --write-docs) -->",
            f"<!-- bench:{name}:notes:end -->")


def earlier_rows(section: str, header: str) -> list[str]:
    """The rows under ``header`` in an earlier version of the section."""
    rows: list[str] = []
    inside = False
    for line in section.splitlines():
        if line == header:
            inside = True
        elif inside and ROW.match(line):
            rows.append(line)
        elif inside and not line.startswith("|"):
            break
    return rows


def render_section(name: str, title: str, intro: list[str], tables: list[Table],
                   outro: list[str], earlier: str = "") -> str:
    begin, end, notes_begin, notes_end = markers(name)
    found = re.search(re.escape(notes_begin) + r".*?" + re.escape(notes_end), earlier, re.S)
    lines = [begin, f"## {title}", "", *intro, ""]
    for table in tables:
        rows = [*table.rows, *earlier_rows(earlier, table.header[0])][:MAX_ROWS]
        lines += [table.caption, "", *table.header, *rows, ""]
    lines += [*outro, *([""] if outro else []),
              found.group(0) if found else f"{notes_begin}\n{notes_end}", end]
    return "\n".join(lines)


def write_section(name: str, title: str, intro: list[str], tables: list[Table],
                  outro: list[str], docs: Path = DOCS) -> None:
    """Replaces the section in ``docs`` (or appends it the first time)."""
    begin, end, _, _ = markers(name)
    text = docs.read_text()
    if begin in text and end in text:
        before, rest = text.split(begin, 1)
        earlier, after = rest.split(end, 1)
        text = before + render_section(name, title, intro, tables, outro, earlier) + after
    else:
        text = (text.rstrip("\n") + "\n\n"
                + render_section(name, title, intro, tables, outro) + "\n")
    docs.write_text(text)
