"""Processes that run syncs yield the CPU to the web workers (os.nice), as configured."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CHILD = """
import os, sys
from flask import Flask
from wixoms.sync.priority import yield_cpu_to_web
app = Flask("x")
app.config["SYNC_PROCESS_NICE"] = int(sys.argv[1])
before = os.nice(0)
print(yield_cpu_to_web(app) - before)
"""


@pytest.mark.skipif(not hasattr(os, "nice"), reason="no process priorities here")
@pytest.mark.parametrize(("step", "raised"), [(10, 10), (0, 0)])
def test_a_sync_process_lowers_its_priority_by_the_setting(step, raised):
    base = os.nice(0)
    if base + step > 19:
        pytest.skip("this test process already runs at the lowest priority")
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(step)], capture_output=True, text=True, check=True
    )
    assert int(out.stdout.strip()) == raised
