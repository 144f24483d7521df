"""Stage 1b: the general word list of the lexicon features (``govie.lexicon_features``).

    python training/build_lexicon.py                 # writes paths.word_list (runs/lexicon/lexicon_words.txt)

Segments the unlabeled reports (test sources left out) with govie's shipped pkuseg model and keeps
words of 2-8 characters seen at least ``lexicon.min_count`` times that are not numbers. About a
minute per million characters on one CPU core; ``lexicon.max_chars`` caps the text read.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from govie.segmenter import load_pkuseg  # noqa: E402
from govie.training import load_config, repo_path, training_texts  # noqa: E402

logger = logging.getLogger("govie.training")
_NUMBERISH = re.compile(r"^[\d.,%％０-９一二三四五六七八九十百千万亿两〇零]+$")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="training/configs/default.json")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    config = load_config(args.config)
    settings = config.get("lexicon", {})
    texts, held_back = training_texts(config)
    budget = settings.get("max_chars", 1_500_000)
    segmenter = load_pkuseg()
    counts: Counter[str] = Counter()
    began, read = time.time(), 0
    for text in texts:
        if read >= budget:
            break
        for line in text.splitlines():
            if line.strip():
                counts.update(w for w in segmenter.cut(line.strip()) if 2 <= len(w) <= 8 and not _NUMBERISH.match(w))
        read += len(text)
    words = sorted(w for w, n in counts.items() if n >= settings.get("min_count", 3))
    out = repo_path(config["paths"]["word_list"])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(words) + "\n", encoding="utf-8")
    logger.info("%d words from %d characters (%d test sources left out) in %.0f s -> %s",
                len(words), read, len(held_back), time.time() - began, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
