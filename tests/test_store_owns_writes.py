"""Only `dialogic.store` (and `dialogic.db`'s migrations) write to the database.

The check reads every module's source: a string literal (an f-string's literal parts included)
that holds an SQL statement changing stored data — insert, update, delete, create or drop of a
table, view, index, sequence or macro, alter — names the module as a writer. Docstrings are prose,
not statements, and are skipped; so is a ``temp`` table, which lives and dies with its connection.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import dialogic

SRC = Path(dialogic.__file__).parent
# The store package owns every write; db.py opens the database and runs the schema migrations.
ALLOWED = ("store/", "db.py")

WRITE = re.compile(
    r"""
    \b(?:
        insert\s+(?:or\s+\w+\s+)?into
      | update\s+[\w."{}]+\s+set
      | delete\s+from
      | (?:create|drop)\s+(?:or\s+replace\s+)?(?!temp\b|temporary\b)
            (?:unique\s+)?(?:table|view|index|sequence|macro|schema)
      | alter\s+(?:table|view|sequence)
      | truncate
    )\b
    """,
    re.IGNORECASE | re.VERBOSE,
)


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def write_statements(source: str) -> list[tuple[int, str]]:
    """(line, statement words) of every SQL write found in a module's string literals."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    texts = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):  # an f-string: its literal parts with {} for each value
            parts = [v.value if isinstance(v, ast.Constant) else "{}" for v in node.values]
            texts.append((node.lineno, "".join(parts)))
            skip |= {id(v) for v in node.values}
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            texts.append((node.lineno, node.value))
    found = []
    for line, text in texts:
        match = WRITE.search(text)
        if match:
            found.append((line, " ".join(match.group(0).lower().split())))
    return sorted(found)


def writers(root: Path = SRC) -> dict[str, list[tuple[int, str]]]:
    """Module path (relative to ``root``) → its write statements, for modules outside ALLOWED."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel.startswith(ALLOWED):
            continue
        found = write_statements(path.read_text())
        if found:
            out[rel] = found
    return out


def test_only_the_store_writes():
    found = writers()
    listing = "\n".join(f"  {m}:{line}: {words}" for m, hits in found.items() for line, words in hits)
    assert not found, f"modules outside dialogic.store execute SQL writes; move them to store/:\n{listing}"


def test_the_check_sees_writes_and_skips_what_is_not_one():
    source = '''
"""Module docstring: insert into prose is not a statement."""
def f(con, table):
    """delete from here is prose too."""
    con.execute("insert into meetings (meeting_id) values (?)", ["m"])
    con.execute(f"delete from {table} where meeting_id = ?", ["m"])
    con.execute("update speakers set participant_id = ? where meeting_id = ?", [None, "m"])
    con.execute("create or replace temp table scope as select 1")
    con.execute("create table if not exists x (a int)")
    con.execute(f"update {table} set speaker_label = ?", ["s"])
    con.execute("select 1 from updates")
'''
    assert write_statements(source) == [
        (5, "insert into"),
        (6, "delete from"),
        (7, "update speakers set"),
        (9, "create table"),
        (10, "update {} set"),
    ]


def test_the_store_itself_is_seen_writing():
    # Guards the check against a pattern that finds nothing anywhere.
    assert write_statements((SRC / "store" / "meetings.py").read_text())
