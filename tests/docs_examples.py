"""Run the examples of README.md and docs/*.md and compare the output they show with the output they produce.

The conventions the documents follow (README's "Contributing" repeats them):

- Every fenced block says what it is. ```python blocks run, in order, one namespace per document. ```console
  (or ```bash, ```sh) blocks hold commands after a ``$ `` prompt, each followed by the output it prints (stdout
  and stderr together); every command runs, each in a shell of its own. ```text, ```json, ```yaml, ```csv blocks are content, not run.
- In Python, ``stmt  # -> shown`` (on the statement's last line, or on a line of its own right after it) is what
  the statement prints, or the repr of its value when it is an expression; more lines follow as ``#    more``,
  their ``#`` under the ``#`` of ``# ->``. A statement without ``# ->`` runs unchecked.
- In shown output, ``<elapsed>`` stands for a duration (``875 ms``, ``1.2 s``), ``…`` for any other volatile text
  within a line, and a line that is only ``…`` for any number of lines.
- An HTML comment right above a fence marks it: ``<!-- no-run: why -->`` (not run; counted and reported with its
  reason), ``<!-- needs: shared-data -->`` (runs only where the shared benchmark data folder is, see
  tests/shared_data.py; reported otherwise), ``<!-- file: NAME -->`` (a content block written to NAME before the
  document's commands run) and ``<!-- output -->`` (a ```text block: what the Python block above prints outside
  its ``# ->`` statements).

Each document runs in a fresh temporary folder holding a copy of examples/ and an empty docs/.
``python tests/test_docs.py --update`` rewrites the shown outputs from a run (tests/test_docs.py).
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tokenize
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
MASK = "…"
ELAPSED = "<elapsed>"
_DURATION = r"\d+(?:\.\d+)? m?s"
RUN_LANGS = {"python", "console", "bash", "sh", "shell"}
CONTENT_LANGS = {"text", "json", "yaml", "csv"}
SHARED_DATA = Path(os.environ.get("FLEETPACK_SHARED_DATA") or ROOT.parent / "shared" / "data")

_FENCE = re.compile(r"^```(\S*)\s*$")
_MARK = re.compile(r"^<!--\s*(no-run|needs|file|output)\s*(?::\s*(.*?))?\s*-->\s*$")
_MASKS = re.compile(f"({MASK}|{ELAPSED})")
# What --update masks in a new shown output: durations.
_VOLATILE = [(re.compile(rf"\b{_DURATION}\b"), ELAPSED)]


@dataclass
class Block:
    doc: Path
    lang: str
    fence: int  # 0-based line of the opening fence
    body: list[str]  # the lines between the fences
    marks: dict[str, str]

    @property
    def where(self) -> str:
        return f"{_name(self.doc)}:{self.fence + 1}"


@dataclass
class Check:
    """One shown output against the produced one; ``lines`` is the span of the document it occupies."""

    where: str
    source: str
    shown: str
    actual: str
    lines: tuple[int, int]
    render: Callable[[str], list[str]] | None = None  # new shown text -> the document's lines that hold it

    @property
    def ok(self) -> bool:
        return matches(self.shown, self.actual)


@dataclass
class DocRun:
    doc: Path
    checks: list[Check] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (where, why)
    errors: list[str] = field(default_factory=list)
    ran: int = 0


def _name(doc: Path) -> str:
    return str(doc.relative_to(ROOT)) if doc.is_relative_to(ROOT) else str(doc)


def parse(doc: Path) -> tuple[list[Block], list[str]]:
    """The fenced blocks of a document, with the marks above them; problems with the conventions as errors."""
    lines = doc.read_text(encoding="utf-8").splitlines()
    blocks, errors, i = [], [], 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        end = i + 1
        while end < len(lines) and lines[end].rstrip() != "```":
            end += 1
        marks, j = {}, i - 1
        while j >= 0 and (mark := _MARK.match(lines[j])):
            marks[mark.group(1)] = mark.group(2) or ""
            j -= 1
        block = Block(doc, m.group(1).lower(), i, lines[i + 1 : end], marks)
        if block.lang not in RUN_LANGS | CONTENT_LANGS:
            errors.append(f"{block.where}: say what the block is (```python, ```console, ```text, ...)")
        elif block.lang in RUN_LANGS - {"python"} and "no-run" not in marks:
            if not any(line.startswith("$ ") for line in block.body):
                errors.append(f"{block.where}: a shell block runs its `$ ` commands; it has none (no-run: why?)")
        if "no-run" in marks and not marks["no-run"]:
            errors.append(f"{block.where}: no-run needs a reason")
        if marks.get("needs", "shared-data") != "shared-data":
            errors.append(f"{block.where}: needs: {marks['needs']!r} is not known (shared-data is)")
        if "output" in marks and (not blocks or blocks[-1].lang != "python" or block.lang != "text"):
            errors.append(f"{block.where}: an output block is a ```text block right after a ```python one")
        blocks.append(block)
        i = end + 1
    return blocks, errors


# --- shown output against produced output -------------------------------------------------------------------------


def _line_pattern(line: str) -> str:
    # Spaces beside a mask stretch, so that a masked column of a table may keep its width.
    masks = {MASK: "[^\n]*?", ELAPSED: _DURATION}
    parts = _MASKS.split(line)
    out = []
    for k, part in enumerate(parts):
        if part in masks and k % 2:
            out.append(masks[part])
            continue
        text = part
        lead = k > 0 and text.startswith(" ")
        trail = k + 1 < len(parts) and text.endswith(" ")
        text = text.lstrip(" ") if lead else text
        text = text.rstrip(" ") if trail else text
        out.append((" *" if lead else "") + re.escape(text) + (" *" if trail else ""))
    return "".join(out)


def pattern(shown: str) -> re.Pattern[str]:
    parts = []
    for line in _clean(shown).split("\n"):
        parts.append("(?:[^\n]*\n)*?" if line.strip() == MASK else _line_pattern(line) + "\n")
    return re.compile("".join(parts))


def _clean(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").split("\n"))


def matches(shown: str, actual: str) -> bool:
    return pattern(shown).fullmatch(_clean(actual) + "\n") is not None


def remask(shown: str, actual: str) -> str:
    """New shown text for ``actual``: ``shown`` where it still holds, its masks kept where their lines still match."""
    if matches(shown, actual):
        return shown
    old, new = _clean(shown).split("\n"), _clean(actual).split("\n")
    if any(line.strip() == MASK for line in old):
        cut = [k for k, line in enumerate(old) if line.strip() == MASK]
        head, tail = old[: cut[0]], old[cut[-1] + 1 :]
        if len(new) > len(head) + len(tail):
            new = new[: len(head)] + [MASK] + (new[len(new) - len(tail) :] if tail else [])
    out, j = [], 0
    for line in new:
        if line == MASK:
            out.append(line)
            continue
        window = range(j, min(j + 4, len(old)))
        hit = next((k for k in window if old[k] != MASK and re.fullmatch(_line_pattern(old[k]), line)), None)
        if hit is not None:
            out.append(old[hit])
            j = hit + 1
        else:
            for volatile, mask in _VOLATILE:
                line = volatile.sub(mask, line)
            out.append(line)
    return "\n".join(out)


def diff(check: Check) -> str:
    shown, actual = _clean(check.shown).split("\n"), _clean(check.actual).split("\n")
    body = "\n".join(difflib.unified_diff(shown, actual, "shown", "produced", lineterm="", n=2))
    return f"{check.where}: {check.source}\n{body}"


# --- running a document ---------------------------------------------------------------------------------------------


def run_document(doc: Path) -> DocRun:
    blocks, errors = parse(doc)
    result = DocRun(doc, errors=errors)
    with tempfile.TemporaryDirectory(prefix="fleetpack-docs-") as tmp:
        folder = Path(tmp)
        shutil.copytree(ROOT / "examples", folder / "examples")
        (folder / "docs").mkdir()
        for block in blocks:
            if "file" in block.marks:
                (folder / block.marks["file"]).write_text("\n".join(block.body) + "\n", encoding="utf-8")
        namespace: dict[str, object] = {"__name__": "__docs__"}
        for index, block in enumerate(blocks):
            if block.lang not in RUN_LANGS:
                continue
            if "no-run" in block.marks:
                result.skipped.append((block.where, block.marks["no-run"]))
                continue
            if block.marks.get("needs") == "shared-data":
                if not SHARED_DATA.is_dir():
                    result.skipped.append((block.where, f"needs the shared data folder ({SHARED_DATA} absent)"))
                    continue
                for entry in SHARED_DATA.iterdir():
                    if not (folder / entry.name).exists():
                        (folder / entry.name).symlink_to(entry)
            result.ran += 1
            if block.lang == "python":
                after = blocks[index + 1] if index + 1 < len(blocks) else None
                output = after if after is not None and "output" in after.marks else None
                _run_python(block, output, namespace, folder, result)
            else:
                _run_shell(block, folder, result)
    return result


def _shell_commands(block: Block) -> list[tuple[str, int, int, int]]:
    """(command, first line, first output line, end) per ``$ `` command; lines index the document."""
    found, k, body = [], 0, block.body
    while k < len(body):
        if not body[k].startswith("$ "):
            k += 1
            continue
        start, command = k, body[k][2:]
        while command.endswith("\\") and k + 1 < len(body):
            k += 1
            command = command[:-1] + " " + body[k].strip()
        k += 1
        out = k
        while k < len(body) and not body[k].startswith("$ "):
            k += 1
        base = block.fence + 1
        found.append((command, base + start, base + out, base + k))
    return found


def _run_shell(block: Block, folder: Path, result: DocRun) -> None:
    env = dict(os.environ, PYTHONUNBUFFERED="1", PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    lines = block.doc.read_text(encoding="utf-8").splitlines()
    for command, first, out, end in _shell_commands(block):
        run = subprocess.run(
            ["bash", "-c", command], cwd=folder, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300,
        )
        actual = run.stdout.replace(str(folder), ".")
        shown = "\n".join(lines[out:end])
        result.checks.append(Check(f"{block.where} (line {first + 1})", "$ " + command, shown, actual, (out, end),
                                   render=lambda text: text.split("\n") if text else []))


def _expectations(source: str) -> dict[int, tuple[int, int, str, str]]:
    """``# ->`` comments by their block line (1-based): (line after the last, column, code before it, shown)."""
    found = {}
    lines = source.split("\n")
    comments = [t for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type == tokenize.COMMENT]
    for token in comments:
        if not token.string.startswith("# ->"):
            continue
        row, col = token.start
        shown = [token.string[4:].removeprefix(" ")]
        last = row
        while last < len(lines) and lines[last][:col].strip() == "" and (
            lines[last][col:].startswith("#    ") or lines[last][col:].rstrip() == "#"
        ):
            shown.append(lines[last][col + 5 :])
            last += 1
        found[row] = (last, col, lines[row - 1][:col], "\n".join(shown))
    return found


def _run_python(block: Block, output: Block | None, namespace: dict, folder: Path, result: DocRun) -> None:
    source = "\n".join(block.body)
    base = block.fence + 1  # document line index of the block's first line
    try:
        tree = ast.parse(source, filename=str(block.doc))
        expected = _expectations(source)
    except SyntaxError as error:
        result.errors.append(f"{block.where}: {error}")
        return
    statements = tree.body
    texts = {id(s): (ast.get_source_segment(source, s) or "").split("\n")[0] for s in statements}
    owner = {}
    for row in expected:
        before = [s for s in statements if s.lineno <= row]
        if not before:
            result.errors.append(f"{block.where}: `# ->` on line {base + row} follows no statement")
            continue
        if id(before[-1]) in owner:
            result.errors.append(f"{block.where}: two `# ->` for the statement on line {base + before[-1].lineno}")
        owner[id(before[-1])] = row
    free = io.StringIO()
    here = os.getcwd()
    os.chdir(folder)
    try:
        for statement in statements:
            ast.increment_lineno(statement, base)
            captured = io.StringIO()
            try:
                with contextlib.redirect_stdout(captured):
                    if isinstance(statement, ast.Expr) and id(statement) in owner:
                        value = eval(compile(ast.Expression(statement.value), str(block.doc), "eval"), namespace)
                        if value is not None:
                            print(repr(value))
                    else:
                        exec(compile(ast.Module([statement], []), str(block.doc), "exec"), namespace)
            except Exception as error:  # a failing example is a finding, reported with its document line
                result.errors.append(f"{_name(block.doc)}:{statement.lineno}: {type(error).__name__}: {error}")
                return
            row = owner.get(id(statement))
            if row is None:
                free.write(captured.getvalue())
                continue
            last, col, prefix, shown = expected[row]
            result.checks.append(Check(
                f"{_name(block.doc)}:{base + row}", texts[id(statement)], shown, captured.getvalue(),
                (base + row - 1, base + last), render=_comment_renderer(prefix, col),
            ))
    finally:
        os.chdir(here)
    if output is not None:
        result.ran += 1
        shown = "\n".join(output.body)
        span = (output.fence + 1, output.fence + 1 + len(output.body))
        result.checks.append(Check(output.where, "output of the block above", shown, free.getvalue(), span,
                                   render=lambda text: text.split("\n")))


def _comment_renderer(prefix: str, col: int):
    def render(text: str) -> list[str]:
        first, *rest = text.split("\n")
        return [f"{prefix}# -> {first}".rstrip()] + [(" " * col + "#    " + line).rstrip() for line in rest]

    return render


def update(runs: list[DocRun]) -> list[str]:
    """Rewrite the shown outputs that differ from the produced ones; the documents changed, by name."""
    changed = []
    for run in runs:
        stale = [c for c in run.checks if not c.ok]
        if not stale:
            continue
        lines = run.doc.read_text(encoding="utf-8").split("\n")
        for check in sorted(stale, key=lambda c: c.lines[0], reverse=True):
            start, end = check.lines
            assert check.render is not None
            lines[start:end] = check.render(remask(check.shown, check.actual))
        run.doc.write_text("\n".join(lines), encoding="utf-8")
        changed.append(str(_name(run.doc)))
    return changed
