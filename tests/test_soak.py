"""Soak: a real `confbot serve` process (real model, real Gradio) under concurrent gradio_client sessions.

Mixed questions (answerable, unanswerable, follow-ups, hostile input) for a bounded time:
CONFBOT_SOAK_SECONDS (default 90) and CONFBOT_SOAK_CLIENTS (default 4) make it longer on request.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from confbot.ingest.indexer import ingest
from confbot.soak import load_questions, run_load
from conftest import DEV_QA, free_port, make_settings

pytestmark = [pytest.mark.model, pytest.mark.server]


def test_soak(project: Path, real_embedder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ingest(make_settings(project), embedder=real_embedder)
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    env = {**os.environ, "CONFBOT_ADMIN_TOKEN": "soak-secret-token"}
    proc = subprocess.Popen([sys.executable, "-m", "confbot", "serve", "--port", str(port)], cwd=project, env=env,
                            stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).read()
                break
            except OSError:
                assert proc.poll() is None, (tmp_path / "serve.log").read_text()[-2000:]
                assert time.monotonic() < deadline, "the app did not come up in 180 s"
                time.sleep(0.5)
        seconds = float(os.environ.get("CONFBOT_SOAK_SECONDS", "90"))
        clients = int(os.environ.get("CONFBOT_SOAK_CLIENTS", "4"))
        started = time.monotonic()
        report = run_load(url, load_questions(DEV_QA), clients=clients, seconds=seconds, pid=proc.pid)
        print(report.as_json())
        assert time.monotonic() - started < seconds + 150, "the load did not stop by itself"
        assert report.errors == 0, report.error_samples
        assert report.requests >= clients * 3 and report.refused_input > 0
        assert report.rss_mb["growth_after_warmup"] < 150, report.rss_mb
        assert proc.poll() is None, "the app died under load"
        served = (tmp_path / "serve.log").read_text()
        assert "soak-secret-token" not in served  # no secret in the logs
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
