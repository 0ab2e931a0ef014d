"""How much a process saves by keeping the dictionary's common English words in the cache.

    .venv/bin/python benchmarks/bench_dictionary.py

Reads CC-CEDICT's common words cold (no cache file: the dictionary is parsed and the words kept) and warm (the
kept words read back) in one run, into a temporary cache folder, and prints both times and their ratio. The words
decide whether two or three capitalised English words name a person (:func:`confbot.answer.kinds.english_name`),
so every process answering English questions reads them once.
"""

from __future__ import annotations

import tempfile
import time

from confbot.retrieve.crosslingual import common_english_words


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        cold = common_english_words(tmp)
        t1 = time.perf_counter()
        common_english_words.cache_clear()  # the process-wide memo, so that the second read is from the file
        warm = common_english_words(tmp)
        t2 = time.perf_counter()
    assert cold == warm, "the kept words differ from the dictionary's"
    print(f"common English words: {len(cold)}")
    print(f"cold (parse the dictionary): {t1 - t0:.3f} s")
    print(f"warm (read the kept words):  {t2 - t1:.3f} s")
    print(f"ratio cold / warm: {(t1 - t0) / max(t2 - t1, 1e-9):.1f}x")


if __name__ == "__main__":
    main()
