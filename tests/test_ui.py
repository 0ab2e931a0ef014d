"""The Gradio app through gradio_client and a real headless Chromium, with the real model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from confbot.answer.chain import Answerer
from confbot.ingest.indexer import ingest
from confbot.retrieve.pipeline import Pipeline
from conftest import CORPUS, free_port, make_settings

pytestmark = [pytest.mark.model, pytest.mark.server]
ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, real_embedder):  # type: ignore[no-untyped-def]
    from confbot.ui import create_app, launch_options

    root = tmp_path_factory.mktemp("uiproj")
    shutil.copytree(CORPUS, root / "corpus")
    settings = make_settings(root, admin_token="s3cret-token")
    ingest(settings, embedder=real_embedder)
    app = create_app(Answerer(Pipeline.open(settings, embedder=real_embedder)))
    port = free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, **launch_options())
    yield f"http://127.0.0.1:{port}/", settings
    app.close()


@pytest.fixture(scope="module")
def client(app_url):  # type: ignore[no-untyped-def]
    from gradio_client import Client

    return Client(app_url[0], verbose=False)


def test_chat_and_ask(client) -> None:  # type: ignore[no-untyped-def]
    text = client.predict("大会在什么时候举行？", api_name="/chat")
    assert "11月19日" in text and "[1]" in text
    a = client.predict("湖北省累計建成多少個5G基站？", api_name="/ask")
    # asked in traditional characters: answered in them; the quote is the checked (simplified) span
    assert not a["refused"] and "16.38萬" in a["answer"] and a["citations"]
    assert any("16.38万" in c["quote"] and "16.38萬" in c["original_quote"] for c in a["citations"])
    top = {h["chunk_id"]: h for h in a["hits"]}
    for c in a["citations"]:
        h = top[c["chunk_id"]]
        assert h["text"][c["start"] - h["start"] : c["end"] - h["start"]] == c["quote"]


def test_refusal_and_follow_up(client) -> None:  # type: ignore[no-untyped-def]
    a = client.predict("大会门票多少钱？", api_name="/ask")
    assert a["refused"] and a["citations"] == []
    history = [{"role": "user", "content": "2024中国5G+工业互联网大会的主题是什么？"},
               {"role": "assistant", "content": "实数融合 智造翘楚"}]  # fmt: skip
    a = client.predict("那它什么时候举办？", history, api_name="/ask")
    assert a["standalone_question"] != a["question"] and "11月19日" in a["answer"]
    assert "error" in client.predict("   ", api_name="/ask")


def test_upload_needs_the_token(client, app_url, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from gradio_client import handle_file

    settings = app_url[1]
    f = tmp_path / "新 闻稿 two.md"
    f.write_text("大会期间将举办5G+工业互联网创新大赛决赛，吸引300支团队参赛。", encoding="utf-8")
    before = client.predict("", api_name="/lab")
    status, rows, _, kept = client.predict("wrong", [handle_file(str(f))], api_name="/upload")
    assert "wrong admin token" in status and kept  # a failed upload keeps the chosen files
    assert not any("新" in r[0] for r in rows["data"]) and not settings.uploads_path.exists()
    status, rows, _, kept = client.predict("s3cret-token", [handle_file(str(f))], api_name="/upload")
    assert "1 chunks added" in status and not kept, status  # indexed: the upload box is cleared
    assert any(r[0].endswith(".md") and "uploads" in r[0] for r in rows["data"])
    status, _, _, _ = client.predict("s3cret-token", [handle_file(str(f))], api_name="/upload")
    assert "0 chunks added" in status  # re-uploading adds nothing
    a = client.predict("创新大赛有多少支团队参赛？", api_name="/ask")
    assert "300" in a["answer"] and any("uploads" in c["source"] for c in a["citations"])
    bad = tmp_path / "bad.txt"
    bad.write_bytes(bytes(range(256)) * 10)
    status, _, _, _ = client.predict("s3cret-token", [handle_file(str(bad))], api_name="/upload")
    assert "bad.txt" in status and not (settings.uploads_path / "bad.txt").exists()
    assert "remove that file from the chosen files" in status and "--skip-bad" not in status
    assert before is not None


def test_feedback_is_logged(app_url) -> None:  # type: ignore[no-untyped-def]
    from confbot.service import Service

    settings = app_url[1]
    state = Service(settings)
    state.feedback(True, {"question": "q", "answer": "a", "refused": False, "citations": []})
    line = settings.feedback_path.read_text(encoding="utf-8").splitlines()[-1]
    assert json.loads(line)["liked"] is True
    assert settings.resolve(settings.data_dir) in settings.feedback_path.parents


def test_real_browser(app_url) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Debian's chromium is needed for the browser test (make test installs it)"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        page = browser.new_page(viewport={"width": 1200, "height": 1400})
        page.goto(app_url[0])
        page.wait_for_selector("#question textarea")
        page.fill("#question textarea", "大会由哪些单位联合主办？")
        page.click("#ask")
        page.wait_for_selector("#sources mark", timeout=60_000)
        assert "武汉市人民政府" in page.inner_text("#chat")
        assert "聯合主辦" in page.inner_text("#sources mark")  # the passage as its (traditional) file writes it
        page.screenshot(path=str(ARTIFACTS / "chat.png"), full_page=True)
        page.fill("#question textarea", "<script>alert(1)</script> 门票多少钱？")
        page.click("#ask")
        page.wait_for_function("document.querySelector('#chat').innerText.includes('⚠️')", timeout=60_000)
        assert "<script>alert(1)</script>" in page.inner_text("#chat")  # shown as text, not run
        page.screenshot(path=str(ARTIFACTS / "chat-refusal.png"), full_page=True)
        assert "Question" in page.inner_text("body")  # an English browser gets English labels
        page.set_viewport_size({"width": 640, "height": 1400})  # a narrow window, a laptop's half screen
        page.get_by_role("tab", name="Documents").click()
        page.wait_for_function("document.querySelector('#documents')?.innerText.includes('.txt')", timeout=30_000)
        # long file names and titles wrap: the table fits its panel, no sideways scrolling (a newcomer's trial)
        widths = page.evaluate(
            "[Math.max(...[...document.querySelectorAll('#documents table')].map(t => t.scrollWidth)),"
            " document.querySelector('#documents').clientWidth]"
        )
        assert widths[0] <= widths[1] + 2, widths
        page.screenshot(path=str(ARTIFACTS / "documents.png"), full_page=True)

        hant = browser.new_page(locale="zh-TW")
        hant.goto(app_url[0])
        hant.wait_for_selector("#question textarea")
        hant.wait_for_function("document.body.innerText.includes('問題')", timeout=30_000)
        hant.screenshot(path=str(ARTIFACTS / "labels-zh-TW.png"))
        browser.close()
