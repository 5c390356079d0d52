"""Nothing is lost: many writer processes at once, and a writer killed mid-stream."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from workbook import identity
from workbook.store import Store

WRITER = """
import sys
from workbook.store import Store
store = Store(sys.argv[1])
participant_id, writer, count = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
for i in range(count):
    store.save_answer(participant_id, "load", f"w{writer}.k{i}", {"writer": writer, "i": i})
    if len(sys.argv) > 5:
        print(f"w{writer}.k{i}", flush=True)  # reported as saved only after the commit returned
"""

pytestmark = pytest.mark.slow


def _writer(url: str, participant_id: int, writer: int, count: int, report: bool = False) -> subprocess.Popen:
    args = [sys.executable, "-c", WRITER, url, str(participant_id), str(writer), str(count)]
    if report:
        args.append("report")
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_thirty_processes_saving_two_hundred_answers_each(store_url):
    url = store_url
    store = Store(url)
    person = identity.add_participant(store, "Load test").person
    writers = [_writer(url, person.id, n, 200) for n in range(30)]
    errors = []
    for proc in writers:
        _out, err = proc.communicate(timeout=300)
        if proc.returncode != 0:
            errors.append(err[-2000:])
    assert errors == []
    assert store.count_answers() == 6000
    assert len(store.current_answers(person.id, "load")) == 6000
    store.close()


def test_every_save_reported_before_a_sigkill_is_kept(store_url):
    url = store_url
    store = Store(url)
    person = identity.add_participant(store, "Crash test").person
    proc = _writer(url, person.id, 1, 1_000_000, report=True)
    reported = []
    deadline = time.monotonic() + 60
    assert proc.stdout is not None
    while len(reported) < 300 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        reported.append(line.strip())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert len(reported) >= 300, proc.stderr.read() if proc.stderr else ""
    again = Store(url)
    survivors = again.current_answers(person.id, "load")
    again.close()
    store.close()
    missing = [key for key in reported if key not in survivors]
    assert missing == []
