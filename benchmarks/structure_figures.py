"""Structure figures for docs/architecture.md: how big the largest module and function are, how
many modules write to the database, and how many files name a tag.

    .venv/bin/python benchmarks/structure_figures.py            # the tree as it stands
    .venv/bin/python benchmarks/structure_figures.py --list     # with the files behind each count

Every figure is read from the source text, nothing is imported or run. "Writes to the database":
the module holds an SQL string (not a docstring) that starts with INSERT INTO, UPDATE … SET,
DELETE FROM, ALTER TABLE, COPY, or CREATE/DROP of a table, view, index, sequence, macro or schema
(a temporary table lives and dies with its connection and is not counted; SQL files under sql/ are counted apart: they are the schema and views, run by db.py). "Names
a tag": the file contains one of the tag names below as a word.
"""

from __future__ import annotations

import argparse
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The tags shipped today, spelled out here on purpose: this script measures how many files do the same.
TAG_NAMES = ("persuasion", "option_discussion", "preference_elicitation", "peer_self_disclosure")
WRITE = re.compile(
    r"^\s*(insert\s+(or\s+\w+\s+)?into|update\s+\w+\s+set|delete\s+from|alter\s+table|copy\s"
    r"|(create|drop)\s+(or\s+replace\s+)?(table|view|index|sequence|macro|schema))",
    re.IGNORECASE,
)
TAG_WORD = re.compile(r"\b(" + "|".join(TAG_NAMES) + r")\b")


def source_files(folder: str, suffixes: tuple[str, ...]) -> list[Path]:
    base = ROOT / folder
    return sorted(p for p in base.rglob("*") if p.suffix in suffixes and "__pycache__" not in p.parts)


def lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def functions(path: Path) -> list[tuple[int, str]]:
    """(lines, qualified name) of every function and method in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                name = f"{prefix}{child.name}"
                found.append((child.end_lineno - child.lineno + 1, name))
                visit(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")

    visit(tree, "")
    return found


def writes_sql(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if WRITE.match(node.value):
                return True
    return False


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print the files behind each count")
    args = parser.parse_args()

    modules = source_files("src", (".py",))
    sizes = sorted(((lines(p), rel(p)) for p in modules), reverse=True)
    funcs = sorted(((n, f"{rel(p)}:{name}") for p in modules for n, name in functions(p)), reverse=True)
    over = [f"{name} {n}" for n, name in sizes if n > 600]
    writers = [rel(p) for p in modules if writes_sql(p)]
    tag_files = {
        folder: [rel(p) for p in source_files(folder, suffixes) if TAG_WORD.search(p.read_text(encoding="utf-8"))]
        for folder, suffixes in (
            ("src", (".py", ".j2", ".js", ".html")),
            ("sql", (".sql",)),
            ("tests", (".py", ".sql")),
            ("data", (".py",)),
        )
    }

    print(f"modules in src/: {len(modules)}, lines {sum(n for n, _ in sizes)}")
    print(f"largest module: {sizes[0][1]} {sizes[0][0]} lines; over 600 lines: {len(over)} {over}")
    print(f"largest function: {funcs[0][1]} {funcs[0][0]} lines")
    funcs_lines = sorted(n for n, _ in funcs)
    print(f"functions: {len(funcs)}, median {funcs_lines[len(funcs_lines) // 2]} lines")
    print(f"modules holding SQL writes: {len(writers)}")
    print(
        "files naming a tag: "
        + ", ".join(f"{folder}/ {len(files)}" for folder, files in tag_files.items())
        + f" (total {sum(len(f) for f in tag_files.values())})"
    )
    if args.list:
        print("\nlargest modules:", *(f"  {n:5d} {name}" for n, name in sizes[:8]), sep="\n")
        print("\nlargest functions:", *(f"  {n:5d} {name}" for n, name in funcs[:8]), sep="\n")
        print("\nmodules holding SQL writes:", *(f"  {w}" for w in writers), sep="\n")
        for folder, files in tag_files.items():
            print(f"\nfiles naming a tag in {folder}/:", *(f"  {f}" for f in files), sep="\n")


if __name__ == "__main__":
    main()
