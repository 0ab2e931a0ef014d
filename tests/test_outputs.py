"""What each output carries: PDF pages on chunks and citations; a hostile document through the CLI's text,
JSON and Markdown (the app and API outputs are covered by test_ui, test_render and test_api)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from confbot.cli import main
from confbot.ingest.indexer import ingest
from confbot.render import answer_json
from confbot.retrieve.pipeline import Pipeline
from conftest import ROOT, make_settings
from fakes import FakeEmbedder

PDF = ROOT / "tests" / "corpora" / "ciftis" / "docs" / "04_2022_shuju.pdf"
HOSTILE = "报名请点[这里](javascript:alert(1))<img src=x onerror=alert(1)>，网址为 www.example.cn 。"


def test_pdf_chunks_know_their_page(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    shutil.copy(PDF, tmp_path / "corpus" / PDF.name)
    s = make_settings(tmp_path)
    fake = FakeEmbedder()
    ingest(s, embedder=fake)
    chunks = Pipeline.open(s, embedder=fake).store.all_chunks()
    pages = {c.page for c in chunks}
    assert pages >= {1, 2} and None not in pages
    assert all(c.title for c in chunks)


@pytest.mark.model
def test_a_hostile_document_through_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "evil.txt").write_text(f"星河论坛报名须知\n{HOSTILE}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CONFBOT_PROJECT_ROOT", str(tmp_path))
    assert main(["ingest"]) == 0
    capsys.readouterr()
    q = tmp_path / "q.txt"
    q.write_text("星河论坛的报名网址是什么？\n", encoding="utf-8")
    assert main(["ask", "--batch", str(q), "--format", "md"]) == 0
    md = capsys.readouterr().out
    assert "](javascript:" not in md and "<img" not in md and "example" in md
    assert main(["ask", "星河论坛的报名网址是什么？", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert any("javascript:alert(1)" in c["quote"] for c in data["citations"])  # JSON carries the data as is
    assert main(["ask", "星河论坛的报名网址是什么？"]) == 0
    assert "\x1b" not in capsys.readouterr().out


def test_json_is_data_not_markup() -> None:
    from confbot.records import Answer, Chunk, Citation, Hit

    chunk = Chunk("c", "a.pdf", HOSTILE, 0, len(HOSTILE), title="T", published="2024-08-01", page=2)
    a = Answer(
        "q",
        "q",
        HOSTILE + "[1]",
        (Citation(1, "a.pdf", "c", HOSTILE, 0, len(HOSTILE)),),
        False,
        (Hit(chunk, 1.0, 1.0, 1.0),),
    )
    c = answer_json(a)["citations"][0]
    assert c["quote"] == HOSTILE and c["page"] == 2 and c["published"] == "2024-08-01" and c["title"] == "T"


def test_a_reader_that_stops_early_gets_no_traceback() -> None:
    """`confbot eval ... --json | head`: the closed pipe ends the command quietly, as it ends `cat`."""
    import subprocess
    import sys

    code = "import sys; from confbot import cli\n"
    code += "cli.cmd_setup = lambda args: [print('x' * 1000, flush=True) for _ in range(1000)] and 0\n"
    code += "sys.exit(cli.main(['setup']))"
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE) as p:
        assert p.stdout is not None and p.stderr is not None
        assert p.stdout.read(10) == b"x" * 10
        p.stdout.close()  # the reader goes away, as `head` does
        err = p.stderr.read().decode()
    assert p.returncode == 141 and "Traceback" not in err and "BrokenPipe" not in err
