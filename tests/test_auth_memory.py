"""Issue 15, item 2: 40 simultaneous login attempts (no login needed to send them) keep the
process under 600 MB. Real argon2id with the library's defaults (~58 MB per verification), in a
separate process that has loaded what a server holds (Streamlit, the boundaries); its peak resident
memory is read from the kernel (ru_maxrss)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from geo.paths import REPO_ROOT

PROBE = r"""
import resource, sys, threading
import streamlit  # what a server process has loaded
from geo import auth, boundaries
from geo.store import open_store
boundaries.communes(web=True)
path = sys.argv[1]
store = open_store(path)
auth.add_user(store, "admin", "mot-mat-khau-dai-2025", "admin", by="kiem-thu")
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
results = []
def attempt(i):  # 40 different names and addresses: nothing throttles them, only the cap
    results.append(auth.authenticate(path, "nguoi%d" % i, "sai-mat-khau-%d" % i, client="10.1.%d.2" % i))
threads = [threading.Thread(target=attempt, args=(i,)) for i in range(40)]
for t in threads: t.start()
for t in threads: t.join()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(base // 1024, peak // 1024, auth.VERIFY_STATS["calls"], auth.VERIFY_STATS["max_active"],
      sum(r.ok for r in results), sum(r.reason == "busy" for r in results))
"""


@pytest.mark.slow
def test_40_simultaneous_attempts_stay_under_600_mb(tmp_path, boundaries_gpkg):
    r = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path / "app.db")], cwd=REPO_ROOT,
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-2000:]
    base_mb, peak_mb, verified, max_active, ok, busy = map(int, r.stdout.split()[-6:])
    assert ok == 0
    assert verified >= 4 and max_active <= 4  # real verifications ran, never more than the cap at once
    assert peak_mb < 600, f"peak {peak_mb} MB (after loading: {base_mb} MB)"
