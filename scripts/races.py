#!/usr/bin/env python3
"""Print the "no lost edits" figures: six editors saving at once, six rounds, per scenario.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/treatments .venv/bin/python scripts/races.py

Runs tests/workflow/test_races.py (real threads on PostgreSQL) and prints its one line per scenario:
rounds, saves accepted per round, refused saves told why (with the editor's input kept), lost edits.
Extra arguments go to pytest (for example -k reference). Exit status is pytest's."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL=postgres://...: the races need PostgreSQL (they are skipped on SQLite).")
    command = [sys.executable, "-m", "pytest", "-s", "-q", "-p", "no:warnings", "tests/workflow/test_races.py"]
    run = subprocess.run([*command, *sys.argv[1:]], cwd=ROOT, capture_output=True, text=True)
    lines = run.stdout.splitlines()
    figures = [line for line in lines if line.startswith("races: ")]
    print("\n".join(figures) or "No figures were printed.")
    if run.returncode != 0:
        print("\n".join(line for line in lines if not line.startswith("{")), run.stderr, sep="\n", file=sys.stderr)
    else:
        print(lines[-1] if lines else "")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
