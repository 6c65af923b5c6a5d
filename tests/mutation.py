"""make mutation: run mutmut over the core modules and write the score of each to
docs/testing.md, with every surviving mutant either listed there as equivalent (reason in
tests/equivalent_mutants.yaml) or left for a test to kill."""

import json
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "testing.md"
EQUIVALENT = ROOT / "tests" / "equivalent_mutants.yaml"
START, END = "<!-- mutation:start -->", "<!-- mutation:end -->"
STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 36: "timeout"}


def results() -> dict[str, dict[str, str]]:
    """{module path: {mutant name: status}} from mutmut's result files."""
    found = defaultdict(dict)
    for meta in (ROOT / "mutants").rglob("*.meta"):
        module = str(meta.relative_to(ROOT / "mutants")).removesuffix(".meta")
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        for name, code in codes.items():
            found[module][name] = "not run" if code is None else STATUS.get(code, "suspicious")
    return found


def report(found, equivalent: dict[str, str], seconds: float) -> str:
    rows = [
        "| module | mutants | killed | equivalent | survived | no tests | score |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    survivors = []
    for module in sorted(found):
        statuses = found[module]
        counts = Counter(
            "equivalent" if name in equivalent and status != "killed" else status
            for name, status in statuses.items()
        )
        killed = counts["killed"] + counts["timeout"]
        judged = len(statuses) - counts["equivalent"]
        score = 100 * killed / judged if judged else 100.0
        rows.append(
            f"| `{module}` | {len(statuses)} | {killed} | {counts['equivalent']} | "
            f"{counts['survived']} | {counts['no tests']} | {score:.0f}% |"
        )
        survivors += [
            name
            for name, status in statuses.items()
            if status in {"survived", "no tests"} and name not in equivalent
        ]
    when = f"Last run: {seconds / 60:.0f} min on 2 cores"
    kept = "mutants of functions unchanged since an earlier run keep their result"
    lines = [START, "", f"{when} ({kept}).", ""]
    lines += [*rows, ""]
    lines += ["Equivalent mutants (they change nothing a learner or an instructor can see):", ""]
    lines += [f"- `{name}`: {reason}" for name, reason in sorted(equivalent.items())]
    if survivors:
        lines += ["", "Not yet killed:", ""] + [f"- `{name}`" for name in sorted(survivors)]
    return "\n".join([*lines, "", END])


def main() -> int:
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "mutmut", "run"], cwd=ROOT, check=False)
    seconds = time.monotonic() - started
    equivalent = yaml.safe_load(EQUIVALENT.read_text()) or {} if EQUIVALENT.exists() else {}
    found = results()
    pending = sum(list(statuses.values()).count("not run") for statuses in found.values())
    if pending:
        print(f"The run ended with {pending} mutants not run: {DOC.name} is left as it was.")
        return 1
    table = report(found, equivalent, seconds)
    text = DOC.read_text()
    DOC.write_text(text[: text.index(START)] + table + text[text.index(END) + len(END) :])
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
