"""README.md and docs/*.md show what they do: every example runs and prints the output it shows.

The conventions (``…`` for volatile text, ``# ->`` in Python, ``<!-- no-run: why -->``, ...) are in
tests/docs_examples.py. Blocks marked no-run, and those that need data this checkout lacks, are reported as
skipped with their reason (``pytest -rs``), never left out silently.

After a change that moves an output on purpose: ``python tests/test_docs.py --update`` rewrites the shown outputs
from a run (keeping their ``…`` where the lines around them still hold), then review the diff.
"""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from docs_examples import DOCUMENTS, ROOT, SHARED_DATA, diff, parse, run_document, update  # noqa: E402


@functools.cache
def _run(doc: Path):
    return run_document(doc)


def _name(doc: Path) -> str:
    return str(doc.relative_to(ROOT))


@pytest.mark.parametrize("doc", DOCUMENTS, ids=_name)
def test_examples_print_what_they_show(doc):
    run = _run(doc)
    problems = run.errors + [diff(check) for check in run.checks if not check.ok]
    assert not problems, f"{len(problems)} stale or failing examples in {_name(doc)}:\n\n" + "\n\n".join(problems)


def _not_run():
    for doc in DOCUMENTS:
        blocks, _ = parse(doc)
        for block in blocks:
            if "no-run" in block.marks:
                yield pytest.param(block.where, block.marks["no-run"], id=block.where)
            elif block.marks.get("needs") == "shared-data" and not SHARED_DATA.is_dir():
                yield pytest.param(block.where, f"needs the shared data folder ({SHARED_DATA})", id=block.where)


@pytest.mark.parametrize("where, why", list(_not_run()))
def test_blocks_not_run_say_why(where, why):
    # Counted and reported, one skip per block: the docs mark them, the test only says so.
    pytest.skip(f"{where} not run: {why}")


def test_documents_hold_examples_that_run():
    # The runner must find the README's examples: a parser that found nothing would pass everything above.
    run = _run(ROOT / "README.md")
    assert run.ran >= 8 and len(run.checks) >= 8, (run.ran, len(run.checks))


def test_benchmark_commands_named_by_the_docs_exist():
    # Benchmark figures are not re-run here, but the command each names must still be there to re-run them.
    named = {
        match.group(1)
        for doc in DOCUMENTS
        for match in re.finditer(r"python (?:-m pytest )?(benches/[\w/.-]+\.py)", doc.read_text(encoding="utf-8"))
    }
    assert named, "the docs name no benchmark command"
    missing = sorted(path for path in named if not (ROOT / path).is_file())
    assert not missing, f"docs name benchmark scripts that are gone: {missing}"


def test_readme_counts_the_bad_inputs_docs_list():
    # README gives the size of docs/bad-inputs.md's table; every new bad-input case adds a row to it.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    said = re.search(r"docs/bad-inputs\.md\)?: (\d+) bad inputs", readme)
    rows = re.findall(r"^\| \d+ \|", (ROOT / "docs" / "bad-inputs.md").read_text(encoding="utf-8"), re.MULTILINE)
    assert said is not None and int(said.group(1)) == len(rows), (said and said.group(0), len(rows))


def test_a_changed_output_is_caught_and_rewritten(tmp_path):
    from docs_examples import Check, matches, remask

    shown = "Placed 3 of 3 workloads.\nMethod auto, <elapsed>.\n…\n2 hosts left empty."
    assert matches(shown, "Placed 3 of 3 workloads.\nMethod auto, 12 ms.\nhost a\nhost b\n2 hosts left empty.\n")
    assert not matches(shown, "Placed 2 of 3 workloads.\nMethod auto, 12 ms.\n2 hosts left empty.")
    new = remask(shown, "Placed 2 of 3 workloads.\nMethod auto, 1.5 s.\nhost a\n1 host left empty.")
    assert new == "Placed 2 of 3 workloads.\nMethod auto, <elapsed>.\n…\n1 host left empty."
    assert matches(new, "Placed 2 of 3 workloads.\nMethod auto, 9 ms.\nhost a\n1 host left empty.")
    assert Check("x", "y", shown, "nope", (0, 0)).ok is False


def test_a_document_is_run_checked_and_updated(tmp_path):
    doc = tmp_path / "doc.md"
    fence = "```"
    doc.write_text(
        f"{fence}python\nx = 2\nprint(x + 1)   # -> 3\nx * 10\n# -> 21\n{fence}\n\n"
        f"{fence}\nunlabelled\n{fence}\n\n"
        f"{fence}console\n$ echo hi\nhi\n$ printf 'a\\nb\\n'\na\nc\n{fence}\n",
        encoding="utf-8",
    )
    run = run_document(doc)
    assert [e for e in run.errors if "say what the block is" in e], run.errors
    assert [(c.source, c.ok) for c in run.checks] == [
        ("print(x + 1)", True), ("x * 10", False), ("$ echo hi", True), ("$ printf 'a\\nb\\n'", False),
    ]
    update([run])
    assert "x * 10\n# -> 20\n" in doc.read_text(encoding="utf-8")
    assert all(check.ok for check in run_document(doc).checks)


def main(argv: list[str]) -> int:
    runs = [_run(doc) for doc in DOCUMENTS]
    for run in runs:
        for error in run.errors:
            print(f"error: {error}", file=sys.stderr)
        for where, why in run.skipped:
            print(f"not run: {where}: {why}", file=sys.stderr)
    stale = [check for run in runs for check in run.checks if not check.ok]
    if "--update" in argv:
        for name in update(runs):
            print(f"rewrote {name}")
    else:
        for check in stale:
            print(diff(check), end="\n\n")
    checks = sum(len(run.checks) for run in runs)
    skipped = sum(len(run.skipped) for run in runs)
    print(f"{checks} shown outputs, {len(stale)} differ; {skipped} blocks not run; "
          f"{sum(len(run.errors) for run in runs)} errors", file=sys.stderr)
    return 1 if any(run.errors for run in runs) or (stale and "--update" not in argv) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
