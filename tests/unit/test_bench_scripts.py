"""Every benchmark still imports: `make bench` is not run by CI, so a renamed function in wixoms
would otherwise break a benchmark unseen (bench/_truth_soak.py once called a removed one)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
SCRIPTS = sorted(p for p in BENCH.glob("*.py") if not p.name.startswith("_"))


def test_there_are_benchmarks_to_check():
    assert len(SCRIPTS) >= 10


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_the_benchmark_and_its_helpers_import(script: Path, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))  # benchmarks run as `python bench/<name>.py`
    spec = importlib.util.spec_from_file_location(f"bench_{script.stem}", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert callable(getattr(module, "main", None)), f"{script.name} has no main()"
