"""The command line, end to end with the real model (in-process: one model load per command)."""

import json
from pathlib import Path

import pytest

from confbot.cli import main
from conftest import DEV_QA

pytestmark = pytest.mark.model


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ingest_retrieve_eval(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    code, out, err = run(capsys, "ingest", "--json")
    assert code == 0, err
    first = json.loads(out)
    assert set(first) == {"files", "chunks", "added", "unchanged", "removed", "seconds", "repairs"}
    assert first["repairs"][0]["source"] == "corpus/000_6ecf1ceda1c9a779.txt"
    assert any("pinyin annotations removed" in r for r in first["repairs"][0]["repairs"])
    assert first["files"] == 1 and first["added"] == first["chunks"] > 10

    code, out, _ = run(capsys, "ingest", "--json")
    again = json.loads(out)
    assert (again["added"], again["unchanged"], again["chunks"]) == (0, first["chunks"], first["chunks"])

    code, out, _ = run(capsys, "retrieve", "大會在哪裡舉行？", "--k", "3", "--json")
    assert code == 0
    res = json.loads(out)
    assert res["query"] == "大會在哪裡舉行？" and len(res["hits"]) == 3
    hit = res["hits"][0]
    assert set(hit) == {
        "rank",
        "chunk_id",
        "source",
        "title",
        "published",
        "page",
        "text",
        "start",
        "end",
        "score",
        "dense_score",
        "bm25_score",
    }
    assert hit["source"] == "corpus/000_6ecf1ceda1c9a779.txt"
    assert any("武汉举行" in h["text"] for h in res["hits"])

    code, out, _ = run(capsys, "retrieve", "大会主题")
    assert code == 0 and "[1] corpus/000_6ecf1ceda1c9a779.txt" in out

    code, out, _ = run(capsys, "eval", str(DEV_QA), "--json")
    rep = json.loads(out)
    assert {"n", "hit@1", "hit@3", "hit@5", "mrr", "by_lang", "per_item"} <= set(rep)
    assert rep["hit@3"] >= 0.95 and len(rep["per_item"]) == len(DEV_QA.read_text().splitlines())

    # a second index side by side
    code, out, _ = run(capsys, "ingest", "--index", "other", "--json")
    assert code == 0 and (project / "other" / "chroma.sqlite3").exists()

    # a copy is named once (not by a log line and again by the report), and loses nothing
    release = project / "corpus" / "000_6ecf1ceda1c9a779.txt"
    (project / "corpus" / "copy.txt").write_bytes(release.read_bytes())
    code, out, err = run(capsys, "ingest", "--json")
    assert code == 0 and err.count("same content as") == 1 and json.loads(out)["chunks"] == first["chunks"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["retrieve", "大会在哪里？"], "no index"),
        (["ingest", "nowhere"], "no such file or folder"),
        (["eval", "missing.jsonl"], "no such QA file"),
    ],
)
def test_errors_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                             argv: list[str], message: str) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    (tmp_path / "missing.jsonl").unlink(missing_ok=True)
    code, out, err = run(capsys, *argv)
    assert code != 0 and out == ""
    assert err.startswith("confbot: error:") and message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "index" / "chroma.sqlite3").exists()


def test_bad_input_on_a_real_index(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    assert run(capsys, "ingest")[0] == 0
    for q, msg in (("   ", "empty"), ("问" * 20000, "limit")):
        code, _, err = run(capsys, "retrieve", q)
        assert code == 2 and msg in err and "Traceback" not in err
    code, out, err = run(capsys, "retrieve", "大会主题", "--scope", "corpus/2023")  # no such event folder
    assert code == 2 and "no ingested file is under 'corpus/2023'" in err and "corpus" in err.split(";")[1]
    code, out, err = run(capsys, "retrieve", "大会主题", "--scope", "corpus/")
    assert code == 0 and "[1] corpus/000_6ecf1ceda1c9a779.txt" in out
    (project / "corpus" / "bin.txt").write_bytes(bytes(range(256)) * 10)
    code, _, err = run(capsys, "ingest")
    assert code == 2 and "bin.txt" in err and "--skip-bad" in err
    monkeypatch.setenv("CONFBOT_EMBED_MODEL", str(project / "no-model-here"))
    (project / "corpus" / "bin.txt").unlink()
    code, _, err = run(capsys, "retrieve", "大会在哪里？")
    assert code != 0 and ("CONFBOT_EMBED_MODEL" in err or "built differently" in err)


def test_ask(project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(project)
    assert run(capsys, "ingest")[0] == 0
    code, out, err = run(capsys, "ask", "大会的主题是什么？", "--json")
    assert code == 0, err
    a = json.loads(out)
    assert set(a) >= {"question", "standalone_question", "answer", "refused", "citations", "hits", "backend", "seconds"}
    assert a["backend"] == "extractive" and not a["refused"] and "实数融合" in a["answer"]
    c = a["citations"][0]
    assert set(c) == {
        "n",
        "source",
        "title",
        "published",
        "page",
        "chunk_id",
        "quote",
        "original_quote",
        "start",
        "end",
    } and c["end"] - c["start"] == len(c["quote"])

    hist = project / "history.json"
    hist.write_text(json.dumps([{"role": "user", "content": "2024中国5G+工业互联网大会的主题是什么？"},
                                {"role": "assistant", "content": "实数融合 智造翘楚"}], ensure_ascii=False))  # fmt: skip
    code, out, _ = run(capsys, "ask", "那它什么时候举办？", "--history", str(hist), "--json")
    a = json.loads(out)
    assert a["standalone_question"] != a["question"] and "11月19日" in a["answer"]

    batch = project / "questions.txt"
    batch.write_text("大会门票多少钱？\n\n湖北省累计建成多少个5G基站？\n", encoding="utf-8")
    code, out, _ = run(capsys, "ask", "--batch", str(batch))
    lines = [json.loads(x) for x in out.splitlines()]
    assert code == 0 and [x["refused"] for x in lines] == [True, False]
    code, out, _ = run(capsys, "ask", "--batch", str(batch), "--format", "md")
    assert out.count("### ") == 2 and "Sources / 来源:" in out and "16.38万" in out

    hist.write_text("{not json")
    code, _, err = run(capsys, "ask", "x", "--history", str(hist))
    assert code == 2 and "--history" in err
