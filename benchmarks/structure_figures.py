"""Structure figures for docs/architecture.md: how big the largest module and function are, how
many modules write to the database, and how many files name a tag.

    .venv/bin/python benchmarks/structure_figures.py            # the tree as it stands
    .venv/bin/python benchmarks/structure_figures.py --list     # with the files behind each count

Every figure is read from the source text; nothing of the measured tree is imported or run, so
``--root`` can measure a checkout of an older commit. "Writes to the database": the module holds an
SQL write as tests/test_store_owns_writes.py defines one (its `write_statements`: insert, update,
delete, create/drop/alter of a table, view, index, sequence or macro; docstrings and temporary
tables left out); SQL files under sql/ are the schema and views and are not counted. "Names a
tag": the file contains one of the tag names below as a word.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

sys.path.insert(0, str(REPO / "tests"))
from test_store_owns_writes import write_statements  # noqa: E402  (the one definition of an SQL write)

# The tags shipped today, spelled out here on purpose: this script measures how many files do the same.
TAG_NAMES = ("persuasion", "option_discussion", "preference_elicitation", "peer_self_disclosure")
TAG_WORD = re.compile(r"\b(" + "|".join(TAG_NAMES) + r")\b")


def source_files(root: Path, folder: str, suffixes: tuple[str, ...]) -> list[Path]:
    base = root / folder
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print the files behind each count")
    parser.add_argument("--root", type=Path, default=REPO, help="another checkout to measure (e.g. an older commit's)")
    args = parser.parse_args()
    root = args.root.resolve()

    def rel(path: Path) -> str:
        return str(path.relative_to(root))

    modules = source_files(root, "src", (".py",))
    sizes = sorted(((lines(p), rel(p)) for p in modules), reverse=True)
    funcs = sorted(((n, f"{rel(p)}:{name}") for p in modules for n, name in functions(p)), reverse=True)
    over = [f"{name} {n}" for n, name in sizes if n > 600]
    writers = [rel(p) for p in modules if write_statements(p.read_text(encoding="utf-8"))]
    tag_files = {
        folder: [rel(p) for p in source_files(root, folder, suffixes) if TAG_WORD.search(p.read_text(encoding="utf-8"))]
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
