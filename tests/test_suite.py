"""The development suite as a regression guard: floors set a little under the figures measured on
2026-12-01, start of round 13 (macro over thirty-three corpora, ciif and csnc, round 12's held-out pair, just
joined: hit@3 0.886, MRR 0.793, accuracy 0.842, refusal precision 0.736, recall 0.794, citation validity 1.00; end of
round 13: accuracy 0.845, precision 0.747, recall 0.798; the first release: hit@3 1.00, accuracy 1.00).
Quality floors, not timings. The held-out suites are not run here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from confbot.cli import main
from confbot.settings import Settings
from confbot.suite import load_suite, run_suite

pytestmark = pytest.mark.model
SUITE = Path(__file__).parent / "corpora" / "dev.suite.json"


def test_dev_suite_floors() -> None:
    out = run_suite(SUITE, Settings())
    m = out["macro"]
    assert m["hit@3"] >= 0.88 and m["mrr"] >= 0.785
    assert m["answer_accuracy"] >= 0.835
    assert m["refusal_recall"] >= 0.79 and m["refusal_precision"] >= 0.73
    assert m["citation_validity"] == 1.0
    release = out["corpora"]["release"]  # the first release's dev set: no worse than before the suite existed
    assert release["hit@3"] >= 0.98 and release["answer_accuracy"] >= 0.95
    for report in out["corpora"].values():  # every corpus reports per language, type and question x passage language
        assert report["by_lang"] and report["by_type"] and "answers_by_type" in report


def test_suite_cli_json_and_bad_suite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", str(SUITE), "--json", "--retrieval-only"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["corpora"]) == {e.name for e in load_suite(SUITE)} and data["macro"]["hit@3"] > 0
    bad = tmp_path / "bad.suite.json"
    bad.write_text(json.dumps({"corpora": [{"name": "x", "corpus": "nowhere", "qa": "none.jsonl"}]}))
    assert main(["eval", str(bad)]) != 0
    assert "no folder" in capsys.readouterr().err
